"""The letterhead the scheduler's dispatcher sends under, for tests that run the outbox themselves."""

from __future__ import annotations

from rris.context import current_settings
from rris.notifications.services.messages import Letterhead


def letterhead() -> Letterhead:
    """The running app's letterhead (public URL and sender), as the scheduler's job reads it."""
    return Letterhead.from_settings(current_settings())
