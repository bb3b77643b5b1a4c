"""The portal: pages and the JSON API on top of the core app."""

from __future__ import annotations

from flask import Flask

from rris.app import create_app
from rris.settings import Settings
from rris.timeutil import Clock


def create_portal(settings: Settings | None = None, clock: Clock | None = None) -> Flask:
    """The portal application: core app plus authentication, pages and API."""
    app = create_app(settings, clock)
    return app
