"""The settings, clock and client of the running application, for code inside an app context."""

from __future__ import annotations

from flask import current_app, has_request_context, request

from rris.settings import Settings
from rris.timeutil import Clock


def current_settings() -> Settings:
    """The Settings the current app was built with."""
    settings: Settings = current_app.extensions["rris.settings"]
    return settings


def current_clock() -> Clock:
    """The clock of the current app (a FrozenClock in tests)."""
    clock: Clock = current_app.extensions["rris.clock"]
    return clock


def current_origin() -> str | None:
    """The address of the client whose request is being served; None outside a request (the scheduler)."""
    return request.remote_addr if has_request_context() else None
