"""`python -m signaling`: serve the signaling app on RRIS_HOST:RRIS_SIGNALING_PORT until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from aiohttp import web

from rris.app import create_app, schema_is_current
from rris.settings import Settings, SettingsError
from signaling.app import create_signaling_app

logger = logging.getLogger("signaling")

# Open connections get this long to finish after a stop signal; the launcher kills at 10 s.
SHUTDOWN_TIMEOUT_SECONDS = 5.0


async def serve(settings: Settings) -> None:
    """Run the signaling server until SIGINT or SIGTERM, then shut it down gracefully."""
    core = create_app(settings)
    runner = web.AppRunner(create_signaling_app(settings, core=core), shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, settings.host, settings.signaling_port).start()
        logger.info("signaling listening on %s:%d", settings.host, settings.signaling_port)
        await stop.wait()
        logger.info("signaling shutting down")
    finally:
        await runner.cleanup()


def main() -> int:
    """Entry point of `python -m signaling`; returns the process exit code."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"signaling: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not schema_is_current(create_app(settings)):
        print(
            "signaling: the database is not at the newest migration; run `flask --app wsgi db upgrade` first",
            file=sys.stderr,
        )
        return 2
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
