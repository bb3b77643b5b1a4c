"""Interpreter utilisation: booked hours over the hours they offered the pool. Pure.

The rules, stated once (the report page repeats them):

- **Available time** is the interpreter's weekly availability windows laid over the period on
  their own wall clock (so a 09:00-17:00 window is eight real hours except on a clock-change
  day, when it is seven or nine), clipped to the period, less their time off. Overlapping or
  touching windows count once.
- **Booked time** is the booked duration of every session they hold a leg of, starting in the
  period (the report's rule: a session belongs to the period its start falls in) and not
  cancelled. Outcomes such as no-shows still count: the hour was reserved for the pool.
- **Utilisation** is booked over available; None when they offered no time in the period.
  It can exceed 100 % when a coordinator assigned someone outside their windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from functools import lru_cache

from rris.common.domain import formats
from rris.common.domain.formats import LocaleLike
from rris.matching.domain.snapshots import Interval, WeeklyWindow
from rris.pool.domain.availability import WeekIndex, index_windows, zone_info
from rris.reports.domain.durations import microseconds

MICROSECONDS_PER_SECOND = 1_000_000

_DAY = timedelta(days=1)
# Utilisation distribution buckets: 0-10 %, 10-20 %, ..., 90-100 %, then over 100 %.
BUCKET_WIDTH = 0.10
BUCKETS = 10


@dataclass(frozen=True)
class InterpreterHours:
    """One interpreter's inputs: zone, weekly windows, time off and booked sessions."""

    interpreter_id: int
    zone_name: str
    windows: Sequence[WeeklyWindow]
    time_off: Sequence[Interval] = ()
    booked: Sequence[Interval] = ()
    booked_microseconds: int = 0  # booked time already summed (by the database), on top of `booked`


@dataclass(frozen=True)
class Utilisation:
    """One interpreter's booked and available seconds in a period."""

    interpreter_id: int
    available_seconds: int
    booked_seconds: int

    @property
    def ratio(self) -> float | None:
        return self.booked_seconds / self.available_seconds if self.available_seconds else None


@lru_cache(maxsize=1024)
def _offered(index: WeekIndex, zone_name: str, start: datetime, end: datetime) -> tuple[tuple[Interval, ...], float]:
    """The intervals and their seconds of a week's merged windows over [start, end): laid out once
    per pattern, zone and period, since most of a pool offers one of a few weekly patterns (a year
    is 366 days of wall-clock arithmetic per interpreter otherwise)."""
    tz = zone_info(zone_name)
    first = start.astimezone(tz).date() - _DAY
    last = end.astimezone(tz).date() + _DAY
    intervals: list[Interval] = []
    if any(index):
        day = first
        while day <= last:
            for start_minute, end_minute in index[day.weekday()]:
                opens = _wall_instant(day, start_minute, tz)
                closes = _wall_instant(day, end_minute, tz)
                opens, closes = max(opens, start), min(closes, end)
                if opens < closes:
                    intervals.append(Interval(opens, closes))
            day += _DAY
    return tuple(intervals), sum((interval.end - interval.start).total_seconds() for interval in intervals)


def _wall_instant(day: date, minute: int, tz: object) -> datetime:
    """The UTC instant of wall-clock `minute` after local midnight of `day` (1440 is the next midnight).

    A wall time skipped by a clock change maps forward past the gap (fold=0), so a window is as
    long as the real time between its ends.
    """
    if minute >= 24 * 60:
        day, minute = day + _DAY, minute - 24 * 60
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)  # type: ignore[arg-type]
    return local.replace(fold=0).astimezone(UTC)


def _overlap_seconds(intervals: Sequence[Interval], cuts: Sequence[Interval]) -> float:
    """Seconds of `intervals` (disjoint) covered by `cuts` (merged first, so overlaps count once)."""
    merged: list[list[datetime]] = []
    for cut in sorted(cuts, key=lambda interval: interval.start):
        if merged and cut.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], cut.end)
        else:
            merged.append([cut.start, cut.end])
    total = 0.0
    for interval in intervals:
        for cut_start, cut_end in merged:
            low, high = max(interval.start, cut_start), min(interval.end, cut_end)
            if low < high:
                total += (high - low).total_seconds()
    return total


def utilisation(hours: InterpreterHours, start: datetime, end: datetime) -> Utilisation:
    """Available and booked seconds of one interpreter in the UTC period [start, end)."""
    windows, offered = _offered(index_windows(hours.windows), hours.zone_name, start, end)
    available = offered - _overlap_seconds(windows, hours.time_off) if hours.time_off else offered
    booked = hours.booked_microseconds + sum(microseconds(b.end - b.start) for b in hours.booked)
    return Utilisation(hours.interpreter_id, int(round(available)), round(Fraction(booked, MICROSECONDS_PER_SECOND)))


def distribution(figures: Iterable[Utilisation]) -> tuple[list[int], int]:
    """Interpreters per utilisation bucket (`BUCKETS` of `BUCKET_WIDTH`, then one for over 100 %),
    and how many offered no time in the period (no ratio)."""
    counts = [0] * (BUCKETS + 1)
    no_time = 0
    for figure in figures:
        ratio = figure.ratio
        if ratio is None:
            no_time += 1
        elif ratio > 1:
            counts[BUCKETS] += 1
        else:
            counts[min(int(ratio / BUCKET_WIDTH), BUCKETS - 1)] += 1
    return counts, no_time


def pool_ratio(figures: Iterable[Utilisation]) -> float | None:
    """All booked time over all available time (None when nobody offered time)."""
    available = booked = 0
    for figure in figures:
        if figure.available_seconds:
            available += figure.available_seconds
            booked += figure.booked_seconds
    return booked / available if available else None


def bucket_labels(locale: LocaleLike) -> list[str]:
    """'0%\u201310%', '10%\u201320%', ..., '90%\u2013100%', '> 100%', percentages as `locale` writes them."""

    def share(fraction: float) -> str:
        return formats.percent(fraction, locale, 0)

    bands = [f"{share(i * BUCKET_WIDTH)}\u2013{share((i + 1) * BUCKET_WIDTH)}" for i in range(BUCKETS)]
    return [*bands, f"> {share(1)}"]
