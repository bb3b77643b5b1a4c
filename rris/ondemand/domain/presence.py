"""Who can be rung now: an interpreter who switched "available now" on and whose live page still beats.

The page sends a heartbeat every `heartbeat_seconds`; one lost beat is forgiven, two are not, so a
closed laptop stops counting within twice the span.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MISSED_BEATS_FORGIVEN = 2


def reachable_since(now: datetime, heartbeat_seconds: int) -> datetime:
    """The oldest last heartbeat that still counts at `now`."""
    return now - timedelta(seconds=heartbeat_seconds * MISSED_BEATS_FORGIVEN)


def is_reachable(available: bool, last_heartbeat: datetime | None, now: datetime, heartbeat_seconds: int) -> bool:
    """True when the interpreter is available and her page beat within the span."""
    return available and last_heartbeat is not None and last_heartbeat >= reachable_since(now, heartbeat_seconds)
