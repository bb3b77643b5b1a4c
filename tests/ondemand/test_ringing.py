"""Asking for an interpreter now: who is rung, who is not, and what the officer hears.

Real database (SQLite and PostgreSQL), the engine's own rules, time moved by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, BookingEvent
from rris.bookings.services.applicant_keys import key_ring
from rris.calls.services.call_access import issue_join_ticket
from rris.common.domain.errors import Conflict
from rris.context import current_settings
from rris.enums import BookingState, Gender, GenderRule
from rris.extensions import db
from rris.ondemand.domain.states import Answer, CallState, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import accept_ring, decline_ring, expire_rings, hang_up
from rris.ondemand.services.presence import heartbeat
from rris.ondemand.services.requests import request_now
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import PASHTO_SERBIAN, POLICY, answer, ask, available_interpreter, live_ring_of
from tests.support.sql_statements import transactions_writing

NOW = DEFAULT_NOW  # Monday 08:00 UTC: 12:30 in Kabul, inside the interpreters' hours


@pytest.fixture
def officer(ctx):
    jelena = factories.caseworker("RS")
    db.session.commit()
    return actor_of(jelena)


def calls() -> int:
    return db.session.scalar(select(func.count()).select_from(OnDemandCall)) or 0


def test_the_best_reachable_interpreters_ring_and_the_first_to_accept_gets_the_call(officer):
    mariam, nadia, zarina = (available_interpreter(NOW) for _ in range(3))
    heard = ask(officer, NOW)
    assert heard.answer is Answer.RINGING
    assert all(live_ring_of(p.id) is not None for p in (mariam, nadia, zarina))

    call_id = answer(nadia, NOW + timedelta(seconds=4))

    call = db.session.get_one(OnDemandCall, call_id)
    assert call.state is CallState.ANSWERED and call.interpreter_id == nadia.id
    assert call.first_ring_at == NOW and call.answered_at == NOW + timedelta(seconds=4)
    assert live_ring_of(mariam.id) is None and live_ring_of(zarina.id) is None
    outcomes = {ring.interpreter_id: ring.outcome for ring in call.rings}
    assert outcomes == {mariam.id: RingOutcome.STOPPED, nadia.id: RingOutcome.ACCEPTED, zarina.id: RingOutcome.STOPPED}
    booking = call.booking
    assert booking.on_demand and booking.state is BookingState.CONFIRMED
    assert [a.interpreter_id for a in booking.active_assignments] == [nadia.id]
    actions = db.session.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == booking.id))
    assert list(actions) == ["requested", "assign"]
    with pytest.raises(Conflict):
        accept_ring(call.rings[0].id, actor_of(mariam.user), NOW + timedelta(seconds=5), POLICY)


def test_an_accepted_call_has_its_room_so_both_call_pages_open_without_a_write(officer):
    nadia = available_interpreter(NOW)
    ask(officer, NOW)
    call = db.session.get_one(OnDemandCall, answer(nadia, NOW + timedelta(seconds=4)))
    booking = call.booking
    assert booking.call_room and booking.dial_in_pin  # made with the acceptance
    secret = current_settings().secret_key
    caseworker = db.session.get_one(User, officer.user_id)
    with transactions_writing("bookings") as writing:
        tickets = [
            issue_join_ticket(booking.id, actor_of(user), user, NOW + timedelta(seconds=5), secret)[0]
            for user in (caseworker, nadia.user)
        ]
    assert not writing  # neither call page queues for the write lock behind the other
    assert {ticket.room for ticket in tickets} == {booking.call_room}


def test_an_interpreter_whose_page_stopped_beating_is_not_rung_once_the_span_has_passed(officer):
    mariam = available_interpreter(NOW)
    assert heartbeat(mariam.id, NOW + timedelta(seconds=10), POLICY)
    # Two beats missed: 20 s after her last one she still counts, a moment later she does not.
    assert ask(officer, NOW + timedelta(seconds=30), wait=False).answer is Answer.RINGING
    decline_ring(live_ring_of(mariam.id).id, actor_of(mariam.user), NOW + timedelta(seconds=30), POLICY)
    other = replace(PASHTO_SERBIAN, case_reference="RS-NOW-2")
    heard = ask(officer, NOW + timedelta(seconds=31), other)
    assert heard.answer is Answer.NONE_AVAILABLE and heard.call_id is None
    assert live_ring_of(mariam.id) is None


def test_a_ring_ends_when_her_page_goes_away_or_nobody_answers_in_time(officer):
    mariam = available_interpreter(NOW)
    heard = ask(officer, NOW)
    nadia = available_interpreter(NOW + timedelta(seconds=15))  # joins the ringing: three ring at once
    assert live_ring_of(nadia.id).call_id == heard.call_id
    heartbeat(nadia.id, NOW + timedelta(seconds=25), POLICY)
    assert expire_rings(NOW + timedelta(seconds=25), POLICY) == 1  # Mariam's page is silent since NOW
    assert live_ring_of(mariam.id) is None and live_ring_of(nadia.id) is not None
    missed = select(OnDemandRing.outcome).where(OnDemandRing.interpreter_id == mariam.id)
    assert db.session.scalar(missed) is RingOutcome.MISSED
    heartbeat(nadia.id, NOW + timedelta(seconds=35), POLICY)
    assert expire_rings(NOW + timedelta(seconds=45), POLICY) == 1  # rung 30 s ago, unanswered
    call = db.session.get_one(OnDemandCall, heard.call_id)
    assert call.state is CallState.WAITING, "nobody left to ring: it waits in the queue"


def test_a_required_gender_is_never_relaxed(officer):
    available_interpreter(NOW, gender=Gender.FEMALE)
    wanted = replace(PASHTO_SERBIAN, gender=Gender.MALE, gender_rule=GenderRule.REQUIRED)
    heard = ask(officer, NOW, wanted)
    assert heard.answer is Answer.NONE_AVAILABLE and heard.gender_required
    assert calls() == 0, "nothing is stored when the officer is told none is available"

    waiting = ask(officer, NOW, wanted, wait=True)
    assert waiting.answer is Answer.QUEUED and waiting.place is not None and waiting.place.position == 1
    karim = available_interpreter(NOW + timedelta(minutes=2), gender=Gender.MALE)
    ring = live_ring_of(karim.id)
    assert ring is not None and ring.call_id == waiting.call_id


def test_a_preferred_gender_rings_first_but_falls_back(officer):
    one_at_a_time = replace(POLICY, rings_at_once=1)
    keys = key_ring(current_settings())
    mariam = available_interpreter(NOW, gender=Gender.FEMALE)
    karim = available_interpreter(NOW, gender=Gender.MALE)
    wanted = replace(PASHTO_SERBIAN, gender=Gender.MALE, gender_rule=GenderRule.PREFERRED)
    assert request_now(wanted, officer, NOW, one_at_a_time, keys).answer is Answer.RINGING
    assert live_ring_of(karim.id) is not None and live_ring_of(mariam.id) is None
    # Karim is taken: the next officer preferring a man is rung Mariam rather than left waiting.
    answer(karim, NOW)
    second = replace(wanted, case_reference="RS-NOW-2")
    assert request_now(second, officer, NOW, one_at_a_time, keys).answer is Answer.RINGING
    assert live_ring_of(mariam.id) is not None


def test_an_interpreter_with_a_scheduled_session_now_is_not_rung(officer):
    mariam = available_interpreter(NOW)
    factories.held(factories.booking(starts_at=NOW - timedelta(minutes=30), state=BookingState.IN_PROGRESS), mariam)
    db.session.commit()
    heard = ask(officer, NOW)
    assert heard.answer is Answer.QUEUED, "she is busy, not unsuitable: the request waits for her"
    assert live_ring_of(mariam.id) is None


def test_an_interpreter_whose_next_session_starts_before_a_call_accepted_late_in_its_ring_could_end_is_not_rung(
    officer,
):
    """Accepting holds the longest call from the moment she accepts: ringing her when a session of
    hers starts within that span of a late accept would end in "you have another job" instead."""
    mariam = available_interpreter(NOW)
    palwasha = available_interpreter(NOW)
    starts = NOW + timedelta(minutes=POLICY.max_minutes, seconds=POLICY.ring_seconds // 2)
    factories.held(factories.booking(starts_at=starts, state=BookingState.CONFIRMED), mariam)
    db.session.commit()
    assert ask(officer, NOW).answer is Answer.RINGING
    assert live_ring_of(mariam.id) is None
    ring = live_ring_of(palwasha.id)
    accept_ring(ring.id, actor_of(palwasha.user), NOW + timedelta(seconds=POLICY.ring_seconds - 1), POLICY)


def test_an_interpreter_in_an_on_demand_call_cannot_be_booked_for_an_overlapping_session(officer):
    mariam = available_interpreter(NOW)
    ask(officer, NOW)
    call_id = answer(mariam, NOW)
    call = db.session.get_one(OnDemandCall, call_id)
    later = factories.booking(starts_at=NOW + timedelta(minutes=30))
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        factories.held(later, mariam)
        db.session.flush()
    # Once she hangs up, her hold shrinks to what the call lasted and the same session fits.
    hang_up(call_id, actor_of(mariam.user), NOW + timedelta(minutes=12), POLICY)
    factories.held(later, mariam)
    db.session.flush()
    assignment = db.session.scalar(select(Assignment).where(Assignment.booking_id == call.booking_id))
    assert (assignment.busy_from, assignment.busy_until) == (NOW, NOW + timedelta(minutes=12))


def test_a_declined_request_is_not_rung_to_her_again_but_others_are(officer):
    mariam = available_interpreter(NOW)
    first = ask(officer, NOW, replace(PASHTO_SERBIAN, case_reference="RS-1"))
    second = ask(officer, NOW, replace(PASHTO_SERBIAN, case_reference="RS-2"))
    assert (first.answer, second.answer) == (Answer.RINGING, Answer.QUEUED)
    decline_ring(live_ring_of(mariam.id).id, actor_of(mariam.user), NOW + timedelta(seconds=3), POLICY)
    ring = live_ring_of(mariam.id)
    assert ring is not None and ring.call_id == second.call_id
    assert db.session.get_one(OnDemandCall, first.call_id).state is CallState.WAITING


def test_an_unknown_language_is_named_and_nothing_is_stored(officer):
    from rris.common.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as problem:
        ask(officer, NOW, replace(PASHTO_SERBIAN, applicant_language="xxx", case_reference=" "))
    assert set(problem.value.errors) == {"applicant_language", "case_reference"}
    assert calls() == 0
    assert db.session.scalar(select(func.count()).select_from(Booking).where(Booking.on_demand)) == 0
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
