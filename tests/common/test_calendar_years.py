"""The years RRIS takes: the schemas' patterns say what the rule says."""

from __future__ import annotations

import re
from datetime import date

import pytest

from rris.common.domain.calendar_years import DAY_PATTERN, MONTH_PATTERN, within_years
from rris.common.services.request_shapes import WALL_CLOCK_PATTERN


@pytest.mark.parametrize("year", [1, 1999, 2000, 2026, 2099, 2100, 9999])
def test_the_patterns_accept_exactly_the_years_of_the_rule(year):
    taken = within_years(date(year, 12, 31))
    assert taken == (2000 <= year <= 2099)
    assert bool(re.match(DAY_PATTERN, f"{year:04d}-12-31", re.ASCII)) == taken
    assert bool(re.match(MONTH_PATTERN, f"{year:04d}-12", re.ASCII)) == taken
    assert bool(re.match(WALL_CLOCK_PATTERN, f"{year:04d}-12-31T23:00", re.ASCII)) == taken
