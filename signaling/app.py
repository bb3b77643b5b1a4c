"""The signaling aiohttp application; all of its state lives on the `Application` object."""

from __future__ import annotations

from aiohttp import web

from rris.settings import Settings

SETTINGS = web.AppKey("settings", Settings)


def create_signaling_app(settings: Settings) -> web.Application:
    """Build the signaling application for `settings` (no database, no network at build time)."""
    app = web.Application()
    app[SETTINGS] = settings
    app.router.add_get("/healthz", healthz)
    return app


async def healthz(_request: web.Request) -> web.Response:
    """Liveness probe used by the launcher and load balancers."""
    return web.json_response({"status": "ok", "service": "signaling"})
