"""Interpreters' weekly availability, read in one query for many of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from rris.extensions import db
from rris.matching.domain.snapshots import WeeklyWindow
from rris.pool.models.interpreters import AvailabilityWindow


def weekly_windows(interpreter_ids: Collection[int]) -> defaultdict[int, list[WeeklyWindow]]:
    """The weekly windows of each of `interpreter_ids`, by interpreter (an empty list for one without)."""
    windows: defaultdict[int, list[WeeklyWindow]] = defaultdict(list)
    for interpreter_id, weekday, start_minute, end_minute in db.session.execute(
        select(
            AvailabilityWindow.interpreter_id,
            AvailabilityWindow.weekday,
            AvailabilityWindow.start_minute,
            AvailabilityWindow.end_minute,
        ).where(AvailabilityWindow.interpreter_id.in_(interpreter_ids))
    ):
        windows[interpreter_id].append(WeeklyWindow(weekday, start_minute, end_minute))
    return windows
