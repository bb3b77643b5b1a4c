"""Zone maths: a UTC session as wall-clock pieces in the interpreter's zone, DST included."""

from __future__ import annotations

import random
from datetime import date

import pytest

from rris.matching.domain.snapshots import Interval, WeeklyWindow
from rris.pool.domain.availability import (
    add_piece_minutes,
    covered_by_index,
    covered_by_windows,
    index_windows,
    local_pieces,
)
from tests.matching.test_builders import belgrade, span, utc, windows

MONDAY, SUNDAY = 0, 6


def test_nine_in_belgrade_is_half_past_twelve_in_kabul_in_winter():
    assert local_pieces(span(belgrade(2026, 1, 12, 9)), "Asia/Kabul") == [(date(2026, 1, 12), 750, 870)]


def test_nine_in_belgrade_is_half_past_eleven_in_kabul_in_summer():
    assert local_pieces(span(belgrade(2026, 6, 15, 9)), "Asia/Kabul") == [(date(2026, 6, 15), 690, 810)]


def test_tehran_is_three_and_a_half_hours_ahead_of_utc():
    assert local_pieces(span(utc(2026, 1, 12, 8)), "Asia/Tehran") == [(date(2026, 1, 12), 690, 810)]


@pytest.mark.parametrize("month", [1, 7])
def test_istanbul_is_three_hours_ahead_of_utc_all_year(month):
    assert local_pieces(span(utc(2026, month, 13, 8)), "Europe/Istanbul") == [(date(2026, month, 13), 660, 780)]


def test_a_session_across_local_midnight_is_split_into_both_days():
    # 19:00 UTC is 23:30 in Kabul.
    pieces = local_pieces(span(utc(2026, 1, 12, 19)), "Asia/Kabul")
    assert pieces == [(date(2026, 1, 12), 1410, 1440), (date(2026, 1, 13), 0, 90)]


def test_a_session_ending_exactly_at_local_midnight_stays_on_its_day():
    assert local_pieces(span(utc(2026, 1, 12, 17, 30)), "Asia/Kabul") == [(date(2026, 1, 12), 1320, 1440)]


def test_on_the_spring_forward_night_the_missing_hour_is_in_no_piece_and_the_session_has_120_real_minutes():
    # 29 March 2026, Belgrade: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    interval = span(utc(2026, 3, 29, 0, 30))
    sunday = date(2026, 3, 29)
    assert local_pieces(interval, "Europe/Belgrade") == [(sunday, 90, 120), (sunday, 180, 270)]
    assert add_piece_minutes({}, local_pieces(interval, "Europe/Belgrade")) == {sunday: 120}


def test_on_the_fall_back_night_the_repeated_hour_is_two_pieces_and_the_session_has_120_real_minutes():
    # 25 October 2026, Belgrade: 03:00 CEST becomes 02:00 CET at 01:00 UTC.
    interval = span(utc(2026, 10, 25, 0))
    sunday = date(2026, 10, 25)
    assert local_pieces(interval, "Europe/Belgrade") == [(sunday, 120, 180), (sunday, 120, 180)]
    assert add_piece_minutes({}, local_pieces(interval, "Europe/Belgrade")) == {sunday: 120}


def test_the_spring_forward_day_has_23_hours_and_the_fall_back_day_25():
    march_day = Interval(belgrade(2026, 3, 29), belgrade(2026, 3, 30))
    october_day = Interval(belgrade(2026, 10, 25), belgrade(2026, 10, 26))
    assert add_piece_minutes({}, local_pieces(march_day, "Europe/Belgrade")) == {date(2026, 3, 29): 23 * 60}
    assert add_piece_minutes({}, local_pieces(october_day, "Europe/Belgrade")) == {date(2026, 10, 25): 25 * 60}


def test_daily_minutes_add_sessions_on_the_same_local_day_not_the_same_utc_day():
    late_sunday_utc = span(utc(2026, 1, 11, 20), 60)  # 00:30-01:30 Monday in Kabul
    monday = span(utc(2026, 1, 12, 8), 120)
    totals = add_piece_minutes({}, local_pieces(late_sunday_utc, "Asia/Kabul"))
    add_piece_minutes(totals, local_pieces(monday, "Asia/Kabul"))
    assert totals == {date(2026, 1, 12): 180}


def test_windows_that_touch_count_as_one_continuous_window():
    pieces = [(date(2026, 1, 12), 11 * 60, 13 * 60)]
    touching = windows((MONDAY,), 8, 12) + windows((MONDAY,), 12, 16)
    assert covered_by_windows(pieces, touching)
    assert covered_by_index(pieces, index_windows(touching))


def test_a_gap_between_windows_is_not_covered():
    pieces = [(date(2026, 1, 12), 11 * 60, 13 * 60)]
    with_lunch = windows((MONDAY,), 8, 12) + windows((MONDAY,), 12.5, 16)
    assert not covered_by_windows(pieces, with_lunch)
    assert not covered_by_index(pieces, index_windows(with_lunch))


def test_a_window_on_another_weekday_does_not_count():
    pieces = [(date(2026, 1, 12), 9 * 60, 10 * 60)]  # a Monday
    assert not covered_by_windows(pieces, windows((1,), 0, 24))


def test_the_raw_and_the_indexed_coverage_checks_always_agree():
    rnd = random.Random(3)
    for _ in range(2000):
        raw = tuple(
            WeeklyWindow(rnd.randrange(7), start, rnd.randint(start + 1, 1440))
            for start in (rnd.randrange(1439) for _ in range(rnd.randint(0, 6)))
        )
        day = date(2026, 1, 12 + rnd.randrange(7))
        start = rnd.randrange(1439)
        pieces = [(day, start, rnd.randint(start + 1, 1440))]
        assert covered_by_windows(pieces, raw) == covered_by_index(pieces, index_windows(raw)), (raw, pieces)


def test_a_sunday_night_shift_covers_the_spring_forward_session_without_a_window_for_the_missing_hour():
    pieces = local_pieces(span(utc(2026, 3, 29, 0, 30)), "Europe/Belgrade")
    assert covered_by_windows(pieces, windows((SUNDAY,), 1, 2) + windows((SUNDAY,), 3, 5))
    assert not covered_by_windows(pieces, windows((SUNDAY,), 1, 4))
