"""When two jobs of one interpreter clash: busy intervals, rest gap on both sides."""

from datetime import UTC, datetime, timedelta

import pytest

from rris.matching.domain.clashes import busy_interval, jobs_clash
from rris.matching.domain.snapshots import Interval

NINE = datetime(2026, 1, 13, 9, 0, tzinfo=UTC)


def session(start_minute: int, minutes: int = 60) -> Interval:
    """A session starting `start_minute` minutes after 09:00 UTC."""
    start = NINE + timedelta(minutes=start_minute)
    return Interval(start, start + timedelta(minutes=minutes))


def test_a_job_is_busy_for_its_session_with_the_rest_gap_before_and_after():
    assert busy_interval(session(0), 15) == Interval(NINE - timedelta(minutes=15), NINE + timedelta(minutes=75))


def test_without_a_rest_gap_a_job_is_busy_for_its_session_only():
    assert busy_interval(session(0), 0) == session(0)


def test_back_to_back_jobs_without_rest_gaps_do_not_clash():
    assert not jobs_clash(busy_interval(session(0), 0), busy_interval(session(60), 0))


@pytest.mark.parametrize(
    ("later_start", "clash"),
    [(30, True), (60, True), (89, True), (90, False), (120, False)],
)
def test_with_15_minute_gaps_the_next_session_must_start_30_minutes_after_the_last_ends(later_start, clash):
    first, later = busy_interval(session(0), 15), busy_interval(session(later_start), 15)
    assert jobs_clash(first, later) is clash
    assert jobs_clash(later, first) is clash


def test_a_job_inside_another_clashes():
    assert jobs_clash(busy_interval(session(0, 240), 0), busy_interval(session(60, 30), 0))


def test_each_job_keeps_its_own_rest_gap():
    # The first job was assigned with no gap; the second brings 15 minutes before it.
    assert jobs_clash(busy_interval(session(0), 0), busy_interval(session(70), 15))
    assert not jobs_clash(busy_interval(session(0), 0), busy_interval(session(75), 15))
