"""Durations between two stored instants, in SQL, are exact to the microsecond on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rris.bookings.models.bookings import Booking
from rris.common.models.durations import microseconds_between
from rris.extensions import db
from tests import factories

START = datetime(2026, 2, 27, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts_at", "length"),
    [
        (START, timedelta(minutes=45, seconds=59, microseconds=999_999)),  # a fraction SQLite would round up
        (START.replace(microsecond=900_000), timedelta(minutes=19, seconds=59, microseconds=200_000)),
        (START.replace(microsecond=500_000), timedelta(seconds=1)),
        (START, timedelta(days=2, hours=3)),
    ],
)
def test_the_microseconds_between_two_instants_are_exact(ctx, starts_at: datetime, length: timedelta):
    booking = factories.booking(starts_at=starts_at)
    booking.ends_at = starts_at + length
    db.session.flush()

    found = db.session.scalar(
        select(microseconds_between(Booking.ends_at, Booking.starts_at)).where(Booking.id == booking.id)
    )

    assert found == length // timedelta(microseconds=1)
