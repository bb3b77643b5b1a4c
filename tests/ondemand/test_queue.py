"""The fair queue: position, expected wait, giving up, and serving in arrival order as calls end."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Assignment, BookingEvent
from rris.bookings.services.bookings import cancel_booking
from rris.common.domain.errors import Conflict
from rris.enums import BookingState
from rris.extensions import db
from rris.ondemand.domain.states import Answer, CallState, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.services.answering import hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat
from rris.ondemand.services.requests import abandon, queue_place
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import PASHTO_SERBIAN, POLICY, answer, ask, available_interpreter, live_ring_of

NOW = DEFAULT_NOW


@pytest.fixture
def officer(ctx):
    jelena = factories.caseworker("RS")
    db.session.commit()
    return actor_of(jelena)


def case(number: int):
    return replace(PASHTO_SERBIAN, case_reference=f"RS-NOW-{number}")


def test_a_waiting_request_knows_its_place_and_the_wait_is_unknown_until_someone_answered(officer):
    mariam = available_interpreter(NOW)
    ask(officer, NOW, case(1))
    second = ask(officer, NOW + timedelta(seconds=1), case(2))
    third = ask(officer, NOW + timedelta(seconds=2), case(3))
    assert (second.answer, second.place.position, second.place.expected_wait) == (Answer.QUEUED, 2, None)
    assert third.place.position == 3

    answer(mariam, NOW + timedelta(seconds=40))  # the first waited 40 s
    place = queue_place(third.call_id, POLICY)
    assert (place.position, place.expected_wait) == (2, timedelta(seconds=40))


def test_the_expected_wait_is_the_median_of_recent_answers_of_the_pair(officer):
    interpreters = [available_interpreter(NOW) for _ in range(3)]
    for number, (waited, interpreter) in enumerate(zip((10, 50, 20), interpreters, strict=True)):
        ask(officer, NOW, case(number))
        answer(interpreter, NOW + timedelta(seconds=waited))
    for interpreter in interpreters:  # in their calls, their pages keep beating
        heartbeat(interpreter.id, NOW + timedelta(minutes=1), POLICY)
    last = ask(officer, NOW + timedelta(minutes=1), case(9))
    assert last.answer is Answer.QUEUED and last.place.expected_wait == timedelta(seconds=20)


def test_giving_up_while_queued_is_recorded_and_the_others_move_up(officer):
    available_interpreter(NOW)
    ask(officer, NOW, case(1))
    second = ask(officer, NOW, case(2))
    third = ask(officer, NOW, case(3))
    call = abandon(second.call_id, officer, NOW + timedelta(seconds=30), POLICY)
    assert call.state is CallState.ABANDONED and call.abandoned_at == NOW + timedelta(seconds=30)
    assert call.booking.state is BookingState.CANCELLED
    assert queue_place(third.call_id, POLICY).position == 2
    with pytest.raises(Conflict):
        abandon(second.call_id, officer, NOW + timedelta(seconds=31), POLICY)


def test_giving_up_while_ringing_stops_the_rings_and_they_ring_for_the_next(officer):
    mariam, nadia = available_interpreter(NOW), available_interpreter(NOW)
    first = ask(officer, NOW, case(1))
    second = ask(officer, NOW, case(2))
    assert first.answer is Answer.RINGING and second.answer is Answer.QUEUED
    call = abandon(first.call_id, officer, NOW + timedelta(seconds=5), POLICY)
    assert {ring.outcome for ring in call.rings} == {RingOutcome.STOPPED}
    assert live_ring_of(mariam.id).call_id == second.call_id
    assert live_ring_of(nadia.id).call_id == second.call_id


def test_a_call_connects_ends_and_its_interpreter_serves_the_next_in_line(officer):
    mariam = available_interpreter(NOW)
    first = ask(officer, NOW, case(1))
    second = ask(officer, NOW + timedelta(seconds=1), case(2))
    answer(mariam, NOW + timedelta(seconds=6))
    mark_connected(first.call_id, NOW + timedelta(seconds=9))
    assert live_ring_of(mariam.id) is None, "in a call, she is not rung"
    heartbeat(mariam.id, NOW + timedelta(minutes=25), POLICY)
    call = hang_up(first.call_id, officer, NOW + timedelta(minutes=25), POLICY)

    assert (call.requested_at, call.first_ring_at, call.answered_at, call.connected_at, call.ended_at) == (
        NOW,
        NOW,
        NOW + timedelta(seconds=6),
        NOW + timedelta(seconds=9),
        NOW + timedelta(minutes=25),
    )
    booking = call.booking
    assert booking.state is BookingState.COMPLETED
    assert (booking.starts_at, booking.ends_at) == (NOW + timedelta(seconds=6), NOW + timedelta(minutes=25))
    held = db.session.scalar(select(Assignment).where(Assignment.booking_id == booking.id))
    assert held.busy_until == NOW + timedelta(minutes=25)
    actions = list(db.session.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == booking.id)))
    assert actions == ["requested", "assign", "start", "complete"]
    assert live_ring_of(mariam.id).call_id == second.call_id
    assert db.session.get_one(OnDemandCall, second.call_id).first_ring_at == NOW + timedelta(minutes=25)


def test_a_call_answered_but_never_connected_ends_as_a_technical_failure(officer):
    mariam = available_interpreter(NOW)
    heard = ask(officer, NOW)
    answer(mariam, NOW)
    call = hang_up(heard.call_id, actor_of(mariam.user), NOW, POLICY)
    assert call.booking.state is BookingState.TECHNICAL_FAILURE
    assert call.booking.ends_at > call.booking.starts_at
    with pytest.raises(Conflict):
        hang_up(heard.call_id, officer, NOW, POLICY)


def test_the_booking_pages_actions_leave_an_on_demand_request_alone(officer):
    waiting = ask(officer, NOW, wait=True)
    booking_id = db.session.get_one(OnDemandCall, waiting.call_id).booking_id
    with pytest.raises(Conflict, match="on-demand call"):
        cancel_booking(booking_id, officer, "No longer needed", NOW)
    call = db.session.get_one(OnDemandCall, waiting.call_id)
    assert call.state is CallState.WAITING and call.booking.state is BookingState.REQUESTED
