"""How kept months add up, without a database: the order statistics of several months picked from
their sorted samples are those of all their values at once, and merging the groups no figure
tells apart changes no figure."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from rris.enums import BookingState, Modality
from rris.reports.domain.durations import median_microseconds
from rris.reports.domain.on_demand import PERCENTS, percentile_of
from rris.reports.domain.reports import SessionGroup, report_from_groups
from rris.reports.domain.rollups import (
    compacted,
    middle_values,
    packed,
    packed_booked,
    speed_of_answer,
    unpacked,
    unpacked_booked,
    value_at_rank,
)

BOUNDS = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))


def samples(rng: random.Random, months: int) -> list[list[int]]:
    """Months of durations with ties, negatives and empty months."""
    return [
        sorted(rng.randrange(-5, 10**6) // rng.choice((1, 1000)) for _ in range(rng.randrange(0, 40)))
        for _ in range(months)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_order_statistics_of_several_months_are_those_of_all_their_values(seed):
    rng = random.Random(seed)
    months = samples(rng, rng.randrange(1, 13))
    everything = sorted(value for month in months for value in month)
    for rank in range(1, len(everything) + 1):
        assert value_at_rank(months, rank) == everything[rank - 1]
    assert median_microseconds(middle_values(months)) == median_microseconds(everything)
    assert speed_of_answer(months) == {percent: percentile_of(everything, percent) for percent in PERCENTS}


def test_samples_and_booked_time_are_stored_as_they_were():
    assert list(unpacked(packed([5, -3, 2**40, 0]))) == [-3, 0, 5, 2**40]
    assert unpacked_booked(packed_booked({7: 3_600_000_000, 12: 1})) == {7: 3_600_000_000, 12: 1}


def test_merging_the_groups_no_figure_tells_apart_changes_no_figure():
    rng = random.Random(19)
    groups = [
        SessionGroup(
            country_code=rng.choice(("RS", "MK")),
            applicant_language=rng.choice(("pus", "prs", "ara")),
            state=rng.choice(tuple(BookingState)),
            filled=rng.random() < 0.8,
            cancelled_late=rng.random() < 0.3,
            modality=rng.choice(tuple(Modality)),
            had_call=rng.random() < 0.7,
            phone_fallback=rng.random() < 0.2,
            has_summary=(summary := rng.random() < 0.6),
            sessions=rng.randrange(1, 9),
            booked_seconds=rng.randrange(1, 10**5),
            summary_seconds=rng.randrange(1, 10**5) if summary else 0,
            on_demand=rng.random() < 0.2,
        )
        for _ in range(400)
    ]
    merged = compacted(groups)
    assert len(merged) < len(groups)
    assert report_from_groups(BOUNDS, merged) == report_from_groups(BOUNDS, groups)
