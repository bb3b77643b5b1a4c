"""Taking an interpreter out of the pool: their offers go to others, each confirmed job they
leave is flagged as a conflict once, and the engine stops offering them; bringing them back
resolves those conflicts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.enums import BookingState, OfferState, Role
from rris.extensions import db
from rris.matching.services.conflicts import reoffer_after_conflict, sweep
from rris.pool.models.interpreters import InterpreterDeactivation
from rris.pool.services.pool_admin import deactivate_interpreter, reactivate_interpreter
from tests import factories
from tests.bookings.test_booking_flow import pool
from tests.matching.test_conflict_sweeps import conflict_messages, open_conflicts
from tests.notifications.test_outbox import book_now, confirmed
from tests.support.booking_setup import waves


@pytest.fixture
def jelena(ctx):
    return factories.caseworker("RS", email="jelena@mup.rs.example")


@pytest.fixture
def hub(ctx):
    return factories.user(Role.COORDINATOR, email="hub@marri.example")


@pytest.fixture
def mariam(ctx):
    return factories.interpreter(pairs=(("pus", "srp"),), email="mariam@interpreters.example", name="Mariam A.")


def test_deactivation_withdraws_pending_offers_and_the_next_wave_goes_out(jelena, hub, mariam, clock):
    booking = book_now(jelena)  # Mariam is the only one who fits: wave 1 is hers alone
    [offer] = booking.offers
    others = pool(2)
    result = deactivate_interpreter(mariam.id, actor_of(hub), "Moved away", clock.now(), waves())
    assert result.withdrawn_offers == 1 and result.rewaved_booking_ids == [booking.id]
    assert offer.state is OfferState.WITHDRAWN
    pending = {o.interpreter_id for o in booking.offers if o.state is OfferState.PENDING}
    assert pending == {other.id for other in others}
    assert booking.state is BookingState.OFFERED and booking.offer_wave == 2
    assert any(event.action == "offer_withdrawn" for event in booking.events)


def test_with_no_one_else_to_ask_the_booking_becomes_unfilled(jelena, hub, mariam, clock):
    booking = book_now(jelena)
    deactivate_interpreter(mariam.id, actor_of(hub), "On leave for a year", clock.now(), waves())
    assert booking.state is BookingState.UNFILLED


def test_each_upcoming_confirmed_job_is_flagged_once_and_people_are_told(jelena, hub, mariam, clock):
    first = confirmed(jelena, mariam)
    second = confirmed(jelena, mariam, start_local="2026-01-15T09:00")
    result = deactivate_interpreter(mariam.id, actor_of(hub), "Accreditation withdrawn", clock.now(), waves())
    assert [job.booking_id for job in result.jobs_left] == [first.id, second.id]
    assert result.sweep.found == 2
    for booking in (first, second):
        assert [conflict.reason for conflict in open_conflicts(booking)] == ["inactive"]
        assert sum(event.action == "conflict" for event in booking.events) == 1
        assert conflict_messages(booking), "the caseworker and coordinators are told"
        assert booking.state is BookingState.CONFIRMED  # nobody is released without a decision
    assert sweep(clock.now()).found == 0  # the scheduler's next sweep adds nothing


def test_the_engine_no_longer_offers_a_deactivated_interpreter(jelena, hub, mariam, clock):
    [other] = pool(1)
    deactivate_interpreter(mariam.id, actor_of(hub), "Moved away", clock.now(), waves())
    booking = book_now(jelena)
    assert {offer.interpreter_id for offer in booking.offers} == {other.id}


def test_a_job_left_can_be_offered_to_others(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    [other] = pool(1)
    deactivate_interpreter(mariam.id, actor_of(hub), "Moved away", clock.now(), waves())
    reoffer_after_conflict(booking.id, actor_of(hub), clock.now(), waves())
    assert booking.state is BookingState.OFFERED
    assert {o.interpreter_id for o in booking.offers if o.state is OfferState.PENDING} == {other.id}


def test_reactivation_resolves_the_conflicts_and_records_who_and_when(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    deactivate_interpreter(mariam.id, actor_of(hub), "  Under review  ", clock.now(), waves())
    [record] = db.session.scalars(select(InterpreterDeactivation)).all()
    assert (record.reason, record.deactivated_by_id, record.reactivated_at) == ("Under review", hub.id, None)
    result = reactivate_interpreter(mariam.id, actor_of(hub), clock.now())
    assert result.sweep.resolved == 1
    assert open_conflicts(booking) == []
    assert mariam.active is True
    assert (record.reactivated_by_id, record.reactivated_at) == (hub.id, clock.now())


def test_deactivating_twice_or_reactivating_an_active_interpreter_is_refused(hub, mariam, clock):
    with pytest.raises(Conflict, match="already active"):
        reactivate_interpreter(mariam.id, actor_of(hub), clock.now())
    deactivate_interpreter(mariam.id, actor_of(hub), "Moved away", clock.now(), waves())
    with pytest.raises(Conflict, match="already inactive"):
        deactivate_interpreter(mariam.id, actor_of(hub), "Again", clock.now(), waves())


def test_a_caseworker_or_the_interpreter_cannot_deactivate(jelena, mariam, clock):
    for who in (jelena, mariam.user):
        with pytest.raises(Forbidden):
            deactivate_interpreter(mariam.id, actor_of(who), "Moved away", clock.now(), waves())
    with pytest.raises(Forbidden):
        reactivate_interpreter(mariam.id, actor_of(jelena), clock.now())
    assert mariam.active is True


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_reason_is_required_and_short(hub, mariam, clock, reason):
    with pytest.raises(InvalidInput) as problem:
        deactivate_interpreter(mariam.id, actor_of(hub), reason, clock.now(), waves())
    assert set(problem.value.errors) == {"reason"}
    assert mariam.active is True
