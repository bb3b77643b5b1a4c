"""Delivered time: seconds with an officer and an interpreter in the call together, overlaps once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from rris.calls.domain.call_presence import common_spans, delivered_seconds, merge_spans, rounded_minutes

T0 = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def span(start: float, end: float) -> tuple[datetime, datetime]:
    return at(start), at(end)


def test_both_present_the_whole_hour() -> None:
    assert delivered_seconds([span(0, 60)], [span(0, 60)]) == 3600


def test_only_the_time_together_counts() -> None:
    # Officer 0-60, interpreter 10-70: together 10-60.
    assert delivered_seconds([span(0, 60)], [span(10, 70)]) == 50 * 60


def test_nobody_on_one_side_delivers_nothing() -> None:
    assert delivered_seconds([span(0, 60)], []) == 0
    assert delivered_seconds([], []) == 0


def test_a_gap_on_one_side_is_not_counted() -> None:
    # Interpreter drops out 20-25 and comes back: 60 - 5 minutes.
    assert delivered_seconds([span(0, 60)], [span(0, 20), span(25, 60)]) == 55 * 60


def test_a_reconnect_that_overlaps_the_old_connection_counts_once() -> None:
    # The new connection opens at 30 before the old one is closed at 31.
    assert delivered_seconds([span(0, 31), span(30, 60)], [span(0, 60)]) == 3600


def test_two_tabs_and_a_phone_leg_of_one_side_count_once() -> None:
    officer = [span(0, 60), span(5, 40), span(10, 20)]
    interpreter = [span(0, 30), span(15, 45), span(50, 60)]  # union 0-45 and 50-60
    assert delivered_seconds(officer, interpreter) == 55 * 60


def test_both_sides_with_gaps() -> None:
    # Officer 0-10 and 20-40; interpreter 5-25 and 35-50. Together: 5-10, 20-25, 35-40 = 15 min.
    assert delivered_seconds([span(0, 10), span(20, 40)], [span(5, 25), span(35, 50)]) == 15 * 60


def test_seconds_are_whole_and_rounded_down() -> None:
    assert delivered_seconds([(T0, T0 + timedelta(seconds=90, milliseconds=999))], [span(0, 60)]) == 90


def test_a_session_across_midnight_in_another_zone() -> None:
    kabul = timezone(timedelta(hours=4, minutes=30))
    officer = [(datetime(2026, 1, 14, 23, 30, tzinfo=UTC), datetime(2026, 1, 15, 0, 45, tzinfo=UTC))]
    interpreter = [(datetime(2026, 1, 15, 4, 15, tzinfo=kabul), datetime(2026, 1, 15, 5, 30, tzinfo=kabul))]
    # Interpreter 23:45-01:00 UTC; together 23:45-00:45.
    assert delivered_seconds(officer, interpreter) == 3600


def test_empty_and_reversed_spans_are_ignored() -> None:
    assert delivered_seconds([span(10, 10), span(20, 5), span(0, 30)], [span(0, 60)]) == 30 * 60


def test_touching_spans_merge_and_common_spans_are_listed() -> None:
    assert merge_spans([span(10, 20), span(0, 10)]) == [span(0, 20)]
    assert common_spans([span(0, 10), span(20, 40)], [span(5, 25)]) == [span(5, 10), span(20, 25)]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        delivered_seconds([(datetime(2026, 1, 14, 8), datetime(2026, 1, 14, 9))], [])


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (3600, 60)])
def test_minutes_for_people_round_half_up(seconds, minutes) -> None:
    assert rounded_minutes(seconds) == minutes
