"""Wall-clock times are turned into instants only when they exist and are unambiguous."""

from datetime import UTC, datetime

import pytest

from rris.timeutil import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc


def test_winter_morning_in_belgrade_is_an_hour_before_utc():
    assert local_to_utc(datetime(2026, 1, 12, 9, 0), "Europe/Belgrade") == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def test_0230_on_the_last_sunday_of_march_does_not_exist_in_belgrade():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Belgrade")


def test_0230_on_the_last_sunday_of_october_needs_a_choice():
    with pytest.raises(AmbiguousLocalTime) as ambiguity:
        local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Belgrade")
    assert ambiguity.value.earlier == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert ambiguity.value.later == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Belgrade", occurrence=1) == ambiguity.value.later


def test_istanbul_has_no_dst():
    assert local_to_utc(datetime(2026, 7, 1, 12, 0), "Europe/Istanbul") == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
