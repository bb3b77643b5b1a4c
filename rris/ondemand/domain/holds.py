"""The time an on-demand call holds in its interpreter's calendar.

An on-demand call has no known end. While it runs it holds [start, start + the maximum length)
as a scheduled job holds its session, in the same `assignments` table, so the database's overlap
guarantee (exclusion constraint / trigger) covers scheduled and on-demand calls alike. At hang-up
the hold shrinks to what the call lasted. It carries no rest gap of its own: interpreters who
chose "available now" take calls back to back, and the scheduled jobs around a call keep their
own gaps (their stored spans include them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rris.matching.domain.snapshots import Interval

# The shortest span a record may hold: a call hung up the instant it was answered still lasted.
SHORTEST_HOLD = timedelta(seconds=1)


def provisional_hold(start: datetime, max_minutes: int) -> Interval:
    """What a call starting at `start` holds until it ends: the maximum length."""
    return Interval(start, start + timedelta(minutes=max_minutes))


def final_hold(start: datetime, ended: datetime) -> Interval:
    """What a call held once it ended at `ended`."""
    return Interval(start, max(ended, start + SHORTEST_HOLD))
