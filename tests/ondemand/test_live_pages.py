"""What the live pages rest on, called as the signalling service calls it: the beats of many pages
written together, a page that went away, the state a node reads for its pages, the ring's sentence,
and the call side's two moments. Real database (SQLite and PostgreSQL), time moved by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking, BookingEvent
from rris.enums import BookingState
from rris.extensions import db
from rris.ondemand.domain.states import Answer, CallState, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall
from rris.ondemand.services.answering import connected_in_booking, end_deserted
from rris.ondemand.services.live import call_statuses, interpreters_now, ring_outcomes, ring_summary
from rris.ondemand.services.presence import heartbeats, set_available, went_away
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.notifications.test_outbox import confirmed
from tests.ondemand.support import PASHTO_SERBIAN, POLICY, answer, ask, available_interpreter, live_ring_of

NOW = DEFAULT_NOW


@pytest.fixture
def officer(ctx):
    jelena = factories.caseworker("RS")
    db.session.commit()
    return actor_of(jelena)


def last_beat(interpreter_id: int):
    return db.session.get_one(InterpreterPresence, interpreter_id, populate_existing=True).last_heartbeat_at


def test_the_beats_of_many_pages_are_written_together_and_one_back_after_a_lapse_is_rung(officer):
    mariam, nadia = available_interpreter(NOW), available_interpreter(NOW)
    zarina = factories.interpreter(pairs=(("pus", "srp"),))
    db.session.commit()
    set_available(zarina.id, False, NOW, POLICY)
    assert heartbeats([mariam.id], NOW + timedelta(seconds=15), POLICY) == {mariam.id}
    heard = ask(officer, NOW + timedelta(seconds=25))  # Nadia's page lapsed: only Mariam rings
    assert heard.answer is Answer.RINGING and live_ring_of(nadia.id) is None

    later = NOW + timedelta(seconds=26)
    assert heartbeats([mariam.id, nadia.id, zarina.id, nadia.id], later, POLICY) == {mariam.id, nadia.id}
    assert last_beat(mariam.id) == later and last_beat(nadia.id) == later
    assert last_beat(zarina.id) is None  # not available: her page's beats are not recorded
    # Nadia is back after a lapse, so the request rings her too at once.
    assert live_ring_of(nadia.id).call_id == heard.call_id == live_ring_of(mariam.id).call_id
    assert heartbeats([], later, POLICY) == set()


def test_a_page_that_went_away_ends_her_ring_at_once_and_her_next_beat_brings_her_back(officer):
    mariam, nadia = available_interpreter(NOW), available_interpreter(NOW)
    heard = ask(officer, NOW, replace(PASHTO_SERBIAN, case_reference="RS-NOW-9"))
    ring = live_ring_of(mariam.id)
    went_away(mariam.id, NOW + timedelta(seconds=2), POLICY)
    assert live_ring_of(mariam.id) is None and last_beat(mariam.id) is None
    assert ring_outcomes([ring.id]) == {ring.id: RingOutcome.MISSED}
    assert interpreters_now([mariam.id], POLICY)[mariam.id].available  # still "available now", not reachable
    assert call_statuses([heard.call_id], POLICY)[heard.call_id].state is CallState.RINGING  # Nadia still rings

    answer(nadia, NOW + timedelta(seconds=3))
    other = ask(officer, NOW + timedelta(seconds=4), replace(PASHTO_SERBIAN, case_reference="RS-NOW-10"), wait=True)
    assert other.answer is Answer.QUEUED
    assert heartbeats([mariam.id], NOW + timedelta(seconds=5), POLICY) == {mariam.id}
    assert live_ring_of(mariam.id).call_id == other.call_id
    went_away(999_999, NOW, POLICY)  # nobody: nothing to do


def test_a_page_of_hers_on_another_node_that_beat_since_her_page_here_closed_keeps_her_ring(officer):
    mariam = available_interpreter(NOW)
    heard = ask(officer, NOW)
    ring = live_ring_of(mariam.id)
    left_here = NOW + timedelta(seconds=1)
    # Her reload reached the other signalling node, whose beats are written after she left here.
    assert heartbeats([mariam.id], left_here + timedelta(seconds=1), POLICY) == {mariam.id}
    went_away(mariam.id, left_here + timedelta(seconds=5), POLICY, left_at=left_here)
    assert live_ring_of(mariam.id).id == ring.id and last_beat(mariam.id) == left_here + timedelta(seconds=1)
    assert call_statuses([heard.call_id], POLICY)[heard.call_id].state is CallState.RINGING

    # No page of hers beat anywhere after her last one closed: she went away.
    went_away(mariam.id, NOW + timedelta(seconds=9), POLICY, left_at=NOW + timedelta(seconds=3))
    assert live_ring_of(mariam.id) is None and last_beat(mariam.id) is None
    assert ring_outcomes([ring.id]) == {ring.id: RingOutcome.MISSED}


def test_a_node_reads_availability_rings_and_requests_for_its_pages_only(officer):
    mariam = available_interpreter(NOW)
    first = ask(officer, NOW)
    second = ask(officer, NOW + timedelta(seconds=1), replace(PASHTO_SERBIAN, case_reference="RS-NOW-2"), wait=True)
    third = ask(officer, NOW + timedelta(seconds=2), replace(PASHTO_SERBIAN, case_reference="RS-NOW-3"), wait=True)
    stranger = factories.interpreter(pairs=(("pus", "srp"),))
    db.session.commit()

    seen = interpreters_now([mariam.id, stranger.id], POLICY)
    assert seen[stranger.id].available is False and seen[stranger.id].ring is None
    ring = seen[mariam.id].ring
    assert ring is not None and ring.call_id == first.call_id
    assert ring.until == NOW + timedelta(seconds=POLICY.ring_seconds)

    statuses = call_statuses([first.call_id, second.call_id, third.call_id], POLICY)
    assert statuses[first.call_id].state is CallState.RINGING
    # Places count every open request of the pair that came first, the ringing one too.
    assert [
        (s.state, s.position, s.expected_wait_seconds) for s in (statuses[second.call_id], statuses[third.call_id])
    ] == [
        (CallState.WAITING, 2, None),
        (CallState.WAITING, 3, None),
    ]
    call_id = answer(mariam, NOW + timedelta(seconds=8))
    booking_id = db.session.get_one(OnDemandCall, call_id).booking_id
    statuses = call_statuses([first.call_id, second.call_id], POLICY)
    assert statuses[first.call_id].call_url == f"/calls/{booking_id}" and statuses[first.call_id].position is None
    assert (statuses[second.call_id].position, statuses[second.call_id].expected_wait_seconds) == (1, 8)
    assert interpreters_now([], POLICY) == {} and call_statuses([], POLICY) == {}


def test_the_ring_reads_in_the_pages_language_with_cldr_names(officer):
    available_interpreter(NOW)
    heard = ask(officer, NOW)
    assert ring_summary(heard.call_id, "en") == "Pashto and Serbian, for Serbia: Reception"
    assert ring_summary(heard.call_id, "sr_Latn") == "paštunski i srpski, za državu Srbija: Prijem"
    assert ring_summary(heard.call_id, "tr") == "Peştuca ve Sırpça, Sırbistan için: Kabul"


def test_the_call_side_leaves_a_scheduled_session_alone(ctx):
    jelena = factories.caseworker("RS")
    mariam = factories.interpreter(pairs=(("pus", "srp"),))
    booking = confirmed(jelena, mariam)
    assert connected_in_booking(booking.id, NOW) is False
    assert end_deserted(booking.id, NOW, POLICY) is False
    assert db.session.get_one(Booking, booking.id, populate_existing=True).state is BookingState.CONFIRMED


def test_an_answered_call_everyone_left_before_connecting_ends_as_a_technical_failure(officer):
    mariam = available_interpreter(NOW)
    ask(officer, NOW)
    call_id = answer(mariam, NOW + timedelta(seconds=5))
    booking_id = db.session.get_one(OnDemandCall, call_id).booking_id
    assert end_deserted(booking_id, NOW + timedelta(minutes=1), POLICY) is True
    assert end_deserted(booking_id, NOW + timedelta(minutes=2), POLICY) is False  # ended already
    booking = db.session.get_one(Booking, booking_id, populate_existing=True)
    assert booking.state is BookingState.TECHNICAL_FAILURE
    last = db.session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id == booking_id).order_by(BookingEvent.id.desc())
    ).first()
    assert last.actor_id is None and last.action == "mark_technical_failure"
    assert connected_in_booking(booking_id, NOW + timedelta(minutes=3)) is False
