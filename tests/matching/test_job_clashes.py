"""The engine names another job exactly when the database would refuse the assignment."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from rris.bookings.services.bookings import eligibility_of
from rris.extensions import db
from rris.matching.domain.rules import RejectionReason
from rris.offers.services.offers import assign_interpreter
from tests import factories
from tests.conftest import DEFAULT_NOW

NINE = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)  # 09:00 in Belgrade


@pytest.mark.parametrize("rest_gap_minutes", [0, 15])
def test_the_engine_sees_a_clash_for_every_start_the_database_refuses_and_for_no_other(ctx, rest_gap_minutes):
    mariam = factories.interpreter(pairs=(("pus", "srp"),))
    mariam.rest_gap_minutes = rest_gap_minutes
    assign_interpreter(factories.booking(starts_at=NINE), 1, mariam, DEFAULT_NOW, None, manual=False)
    engine_says, database_says = [], []
    for offset in range(-120, 125, 5):
        other = factories.booking(starts_at=NINE + timedelta(minutes=offset))
        reasons = eligibility_of(other, mariam.id, DEFAULT_NOW)
        if any(reason.reason is RejectionReason.OVERLAPPING_JOB for reason in reasons):
            engine_says.append(offset)
        try:
            with db.session.begin_nested():
                assign_interpreter(other, 1, mariam, DEFAULT_NOW, None, manual=False)
        except IntegrityError:
            database_says.append(offset)
        else:
            other.assignments[0].released_at = DEFAULT_NOW  # free the time for the next start
            db.session.flush()
    # One-hour sessions: each holds the gap on both sides, so the two gaps add up between them.
    reach = 60 + 2 * rest_gap_minutes
    assert engine_says == database_says == [offset for offset in range(-120, 125, 5) if -reach < offset < reach]
