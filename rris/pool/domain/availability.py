"""Zone maths for availability: a UTC interval seen on the wall clocks of one time zone.

A *piece* is `(local date, start minute, end minute)`: a stretch of the interval that lies on
one local date and under one UTC offset, with minutes counted on the wall clock from local
midnight (the end may be 1440, i.e. the next midnight). Pieces split at local midnight and at
every offset change, so each piece's `end - start` is its real elapsed time:

- spring forward (Belgrade, last Sunday of March, 02:00 -> 03:00): 00:30-02:30 UTC is the
  pieces 01:30-02:00 and 03:00-04:30 on that date, 120 real minutes; the missing wall hour
  02:00-03:00 appears in no piece, so no window has to cover it.
- fall back (last Sunday of October, 03:00 -> 02:00): 00:00-02:00 UTC is 02:00-03:00 summer
  time then 02:00-03:00 winter time, two pieces with the same wall minutes and 120 real minutes;
  a window covers the session when it covers those wall minutes (it does not care which pass).

Minute-of-day is the wall clock (not minutes elapsed since midnight) because weekly windows
are wall-clock times: on both transition days a 09:00 window still means 09:00.
We assume at most one offset change per piece (true of every zone in use: changes are months apart).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from rris.matching.domain.snapshots import Interval, WeeklyWindow

Piece = tuple[date, int, int]
# Merged (start, end) wall-clock spans for each weekday, Monday first.
WeekIndex = tuple[tuple[tuple[int, int], ...], ...]

MINUTES_PER_DAY = 24 * 60
_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
_MIDNIGHT = time()


@lru_cache(maxsize=512)
def zone_info(zone_name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (raises ZoneInfoNotFoundError for an unknown one)."""
    return ZoneInfo(zone_name)


def _first_instant_of_new_offset(low: datetime, high: datetime, tz: ZoneInfo, offset: timedelta | None) -> datetime:
    """Binary search for the instant the offset changes, given it is `offset` at `low` and not at `high`."""
    while high - low > _TICK:
        middle = low + (high - low) // 2
        if middle.astimezone(tz).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def local_pieces(interval: Interval, zone_name: str) -> list[Piece]:
    """The interval as wall-clock pieces in `zone_name`, split at local midnights and offset changes."""
    tz = zone_info(zone_name)
    cursor = interval.start.astimezone(UTC)
    end = interval.end.astimezone(UTC)
    pieces: list[Piece] = []
    while cursor < end:
        local = cursor.astimezone(tz)
        offset = local.utcoffset()
        wall = local.replace(tzinfo=None, fold=0)
        local_day = wall.date()
        piece_end = min(end, cursor + (datetime.combine(local_day + _DAY, _MIDNIGHT) - wall))
        if (piece_end - _TICK).astimezone(tz).utcoffset() != offset:
            piece_end = _first_instant_of_new_offset(cursor, piece_end - _TICK, tz, offset)
        start_seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
        end_seconds = start_seconds + (piece_end - cursor).total_seconds()
        # Floor the start and ceil the end: a partial minute still needs the interpreter.
        pieces.append((local_day, start_seconds // 60, -int(-end_seconds // 60)))
        cursor = piece_end
    return pieces


def index_windows(windows: Iterable[WeeklyWindow]) -> WeekIndex:
    """Weekly windows merged per weekday, where touching or overlapping windows become one span."""
    by_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for window in windows:
        by_day[window.weekday].append((window.start_minute, window.end_minute))
    merged_days: list[tuple[tuple[int, int], ...]] = []
    for spans in by_day:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        merged_days.append(tuple(merged))
    return tuple(merged_days)


def covered_by_index(pieces: Iterable[Piece], index: WeekIndex) -> bool:
    """True when every piece lies inside one merged span of its weekday."""
    for day, start, end in pieces:
        for span_start, span_end in index[day.weekday()]:
            if span_start <= start and end <= span_end:
                break
        else:
            return False
    return True


def covered_by_windows(pieces: Iterable[Piece], windows: Sequence[WeeklyWindow]) -> bool:
    """True when every minute of every piece lies inside the windows of its local weekday.

    Windows that touch or overlap count as continuous, also across midnight (a piece ending at
    1440 and the next day's piece starting at 0 are checked against their own days). This scans
    the raw windows so that one check costs no more than the index would to build.
    """
    for day, start, end in pieces:
        weekday = day.weekday()
        cursor = start
        moved = True
        while cursor < end and moved:
            moved = False
            for window in windows:
                if window.weekday == weekday and window.start_minute <= cursor < window.end_minute:
                    cursor = window.end_minute
                    moved = True
                    if cursor >= end:
                        break
        if cursor < end:
            return False
    return True


def add_piece_minutes(totals: dict[date, int], pieces: Iterable[Piece]) -> dict[date, int]:
    """Add each piece's minutes to `totals` under its local date; returns `totals`."""
    for day, start, end in pieces:
        totals[day] = totals.get(day, 0) + end - start
    return totals


def wall_clock(instant: datetime, zone_name: str) -> datetime:
    """The instant on the wall clock of `zone_name` (aware, in that zone)."""
    return instant.astimezone(zone_info(zone_name))
