"""The database itself refuses to give an interpreter two overlapping jobs (rest gap included)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from rris.bookings.models.bookings import Assignment
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from tests import factories

NINE = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)


def assign(profile, booking, start, minutes=60, gap=15, released=False):
    busy = busy_interval(Interval(start, start + timedelta(minutes=minutes)), gap)
    record = Assignment(
        booking=booking,
        leg=1,
        interpreter_id=profile.id,
        busy_from=busy.start,
        busy_until=busy.end,
        assigned_at=NINE,
        released_at=NINE if released else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def test_an_overlapping_second_job_is_refused(ctx):
    mariam = factories.interpreter()
    assign(mariam, factories.booking(), NINE)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        assign(mariam, factories.booking(), NINE + timedelta(minutes=30))


def test_a_job_inside_the_rest_gap_is_refused(ctx):
    mariam = factories.interpreter()
    assign(mariam, factories.booking(), NINE)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        assign(mariam, factories.booking(), NINE + timedelta(minutes=70))


def test_back_to_back_jobs_with_the_rest_gap_between_are_fine(ctx):
    mariam = factories.interpreter()
    assign(mariam, factories.booking(), NINE, gap=0)
    assign(mariam, factories.booking(), NINE + timedelta(minutes=60), gap=0)


def test_a_released_job_does_not_block_the_time(ctx):
    mariam = factories.interpreter()
    assign(mariam, factories.booking(), NINE, released=True)
    assign(mariam, factories.booking(), NINE)


def test_two_interpreters_may_work_at_the_same_time(ctx):
    booking = factories.booking()
    assign(factories.interpreter(), booking, NINE)
    other = factories.booking()
    assign(factories.interpreter(), other, NINE)


def test_bringing_back_a_released_job_into_a_taken_slot_is_refused(ctx):
    mariam = factories.interpreter()
    old = assign(mariam, factories.booking(), NINE, released=True)
    assign(mariam, factories.booking(), NINE)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        old.released_at = None
        db.session.flush()
