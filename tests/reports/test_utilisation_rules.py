"""Utilisation against hand-computed hours: windows on the interpreter's own clock, clock changes,
time off, clipping to the period, and the distribution buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rris.matching.domain.snapshots import Interval, WeeklyWindow
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.utilisation import (
    InterpreterHours,
    Utilisation,
    bucket_labels,
    distribution,
    pool_ratio,
    utilisation,
)

HOUR = 3600
WEEKDAYS_NINE_TO_FIVE = [WeeklyWindow(day, 9 * 60, 17 * 60) for day in range(5)]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def hours(zone_name: str, windows, time_off=(), booked=()) -> InterpreterHours:
    return InterpreterHours(1, zone_name, windows, time_off, booked)


def test_a_belgrade_march_of_weekdays_nine_to_five_is_22_days_of_8_hours():
    """March 2026 has 22 weekdays; the clock change falls on a Sunday, so every window is 8 hours."""
    start, end = ReportFilter.month(2026, 3, "Europe/Belgrade").bounds
    figures = utilisation(hours("Europe/Belgrade", WEEKDAYS_NINE_TO_FIVE), start, end)
    assert figures.available_seconds == 22 * 8 * HOUR
    assert figures.booked_seconds == 0
    assert figures.ratio == 0


def test_a_window_across_the_spring_gap_is_an_hour_shorter_in_real_time():
    """Sunday 29 March 2026, Belgrade skips 02:00-03:00: a 01:00-04:00 window is 2 real hours."""
    start, end = ReportFilter.month(2026, 3, "Europe/Belgrade").bounds
    figures = utilisation(hours("Europe/Belgrade", [WeeklyWindow(6, 60, 4 * 60)]), start, end)
    # Sundays in March 2026: 1, 8, 15, 22 (3 h each) and 29 (2 h).
    assert figures.available_seconds == (4 * 3 + 2) * HOUR


def test_a_window_across_the_autumn_repeat_is_an_hour_longer():
    """Sunday 25 October 2026, Belgrade repeats 02:00-03:00: a 01:00-04:00 window is 4 real hours."""
    start, end = ReportFilter(datetime(2026, 10, 25).date(), datetime(2026, 10, 25).date(), "Europe/Belgrade").bounds
    figures = utilisation(hours("Europe/Belgrade", [WeeklyWindow(6, 60, 4 * 60)]), start, end)
    assert figures.available_seconds == 4 * HOUR


def test_windows_follow_the_interpreters_zone_and_are_clipped_to_the_coordinators_period():
    """Kabul is UTC+4:30: Monday 1 June 2026 03:00-05:00 Kabul is Sunday 31 May 22:30-00:30 UTC,
    and the Belgrade period starting 1 June (22:00 UTC on 31 May) takes all of it; a period
    ending Sunday 31 May in Belgrade takes none."""
    windows = [WeeklyWindow(0, 3 * 60, 5 * 60)]
    june_first = ReportFilter(datetime(2026, 6, 1).date(), datetime(2026, 6, 1).date(), "Europe/Belgrade")
    figures = utilisation(hours("Asia/Kabul", windows), *june_first.bounds)
    assert figures.available_seconds == 2 * HOUR
    may_last = ReportFilter(datetime(2026, 5, 31).date(), datetime(2026, 5, 31).date(), "Europe/Belgrade")
    assert utilisation(hours("Asia/Kabul", windows), *may_last.bounds).available_seconds == 0


def test_a_window_cut_by_the_period_counts_only_its_part_inside():
    """A Monday 20:00-24:00 Belgrade window against a UTC period ending 21:00 UTC (23:00 CEST)."""
    start, end = utc(2026, 6, 1, 0, 0), utc(2026, 6, 1, 21, 0)
    figures = utilisation(hours("Europe/Belgrade", [WeeklyWindow(0, 20 * 60, 24 * 60)]), start, end)
    assert figures.available_seconds == 3 * HOUR


def test_time_off_and_overlapping_windows_count_once():
    start, end = utc(2026, 6, 1, 0, 0), utc(2026, 6, 2, 0, 0)  # Monday, in UTC
    windows = [WeeklyWindow(0, 8 * 60, 12 * 60), WeeklyWindow(0, 10 * 60, 14 * 60)]  # 08:00-14:00
    away = [
        Interval(utc(2026, 6, 1, 9, 0), utc(2026, 6, 1, 10, 0)),
        Interval(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 11)),
    ]
    figures = utilisation(hours("UTC", windows, time_off=away), start, end)
    assert figures.available_seconds == (6 - 2) * HOUR


def test_booked_time_is_the_sessions_full_duration_and_may_exceed_the_windows():
    start, end = utc(2026, 6, 1, 0, 0), utc(2026, 6, 2, 0, 0)
    booked = [Interval(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10, 30)), Interval(utc(2026, 6, 1, 20), utc(2026, 6, 1, 23))]
    figures = utilisation(hours("UTC", [WeeklyWindow(0, 9 * 60, 11 * 60)], booked=booked), start, end)
    assert figures.booked_seconds == int(4.5 * HOUR)
    assert figures.ratio == pytest.approx(2.25)


def test_distribution_buckets_and_people_without_hours():
    figures = [
        Utilisation(1, 10 * HOUR, 0),  # 0 %
        Utilisation(2, 10 * HOUR, HOUR),  # exactly 10 % -> second bucket
        Utilisation(3, 10 * HOUR, 10 * HOUR),  # exactly 100 % -> last regular bucket
        Utilisation(4, 10 * HOUR, 11 * HOUR),  # over
        Utilisation(5, 0, 0),  # offered nothing
        Utilisation(6, 0, HOUR),  # booked without offering
    ]
    counts, no_time = distribution(figures)
    assert counts == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert no_time == 2
    assert pool_ratio(figures) == pytest.approx(22 / 40)
    assert bucket_labels("en")[0] == "0%\u201310%" and bucket_labels("en")[-1] == "> 100%"
    assert bucket_labels("tr")[1] == "%10\u2013%20"  # Turkish puts the sign first
    assert pool_ratio([Utilisation(1, 0, 0)]) is None


def test_periods_longer_than_a_day_step_over_every_local_day():
    start, end = utc(2026, 6, 1, 0, 0), utc(2026, 6, 1, 0, 0) + timedelta(days=14)
    figures = utilisation(hours("UTC", WEEKDAYS_NINE_TO_FIVE), start, end)
    assert figures.available_seconds == 10 * 8 * HOUR
