"""Durations the reports summarise: medians and percentiles, exact to the microsecond. Pure."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import timedelta

MICROSECOND = timedelta(microseconds=1)


def median_duration(durations: Iterable[timedelta]) -> timedelta | None:
    """The median (mean of the middle two for an even count), or None for none."""
    values = sorted(durations)
    if not values:
        return None
    return timedelta(seconds=statistics.median(value.total_seconds() for value in values))


def median_microseconds(durations: Iterable[int]) -> timedelta | None:
    """`median_duration` of durations given in whole microseconds, as the database computes them.

    Only the middle one or two values are turned into durations: the median of those is the
    median of all of them.
    """
    values = sorted(durations)
    if not values:
        return None
    middle = len(values) // 2
    picked = values[middle - 1 : middle + 1] if len(values) % 2 == 0 else values[middle : middle + 1]
    return median_duration(timedelta(microseconds=value) for value in picked)


def microseconds(duration: timedelta) -> int:
    """A duration in whole microseconds."""
    return duration // MICROSECOND
