"""The demo's past holds on-demand sessions made by the on-demand services: answered ones in more
than one country and language, a ring nobody took, a request given up in the queue; and a Serbian
officer can ask for Pashto now and reach a demo interpreter who switched "available now" on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.services.applicant_keys import key_ring
from rris.context import current_settings
from rris.demo.pool import DEMO_LOGINS, load_demo_pool
from rris.enums import BookingState
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import Answer, CallState, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall, OnDemandRing
from rris.ondemand.services.presence import set_available
from rris.ondemand.services.requests import NowRequest, request_now
from tests.conftest import DEFAULT_NOW


def calls() -> list[OnDemandCall]:
    return list(db.session.scalars(select(OnDemandCall).order_by(OnDemandCall.requested_at)))


def test_the_past_holds_answered_missed_and_abandoned_on_demand_sessions(demo_pool_played):
    summary = demo_pool_played  # what `load_demo_pool(DEFAULT_NOW, settings=...)` said it did
    past = calls()
    assert summary.on_demand_created == len(past) >= 6
    states = [call.state for call in past]
    assert states.count(CallState.ENDED) >= 4 and states.count(CallState.ABANDONED) >= 2
    for call in past:
        assert call.requested_at < DEFAULT_NOW - timedelta(days=1)
        if call.state is CallState.ENDED:
            assert call.requested_at <= call.first_ring_at <= call.answered_at < call.connected_at < call.ended_at
            assert call.booking.state is BookingState.COMPLETED
        else:
            assert call.booking.state is BookingState.CANCELLED and call.abandoned_at is not None
    outcomes = {ring.outcome for ring in db.session.scalars(select(OnDemandRing))}
    assert {RingOutcome.ACCEPTED, RingOutcome.MISSED} <= outcomes
    queued_only = [c for c in past if c.state is CallState.ABANDONED and c.first_ring_at is None]
    assert queued_only, "a request given up while it waited in the queue"
    answered = [c.booking for c in past if c.state is CallState.ENDED]
    assert len({(b.country_id, b.applicant_language) for b in answered}) >= 3
    # Everyone switched "available now" off again: nobody rings until she says so herself.
    assert not db.session.scalars(select(InterpreterPresence).where(InterpreterPresence.available)).all()


def test_a_second_load_plays_nothing_again(demo_pool_played):
    before = len(calls())
    again = load_demo_pool(DEFAULT_NOW, settings=current_settings())
    assert (again.on_demand_created, again.on_demand_present) == (0, before)
    assert len(calls()) == before


def test_the_demo_caseworker_reaches_the_demo_interpreter_for_pashto_now(demo_pool_played):
    logins = dict(DEMO_LOGINS)
    jelena = db.session.scalars(select(User).where(User.email == logins["caseworker"])).one()
    mariam = db.session.scalars(select(User).where(User.email == logins["interpreter"])).one()
    policy = OnDemandPolicy.from_settings(current_settings())
    now = DEFAULT_NOW + timedelta(hours=1)
    set_available(mariam.interpreter_profile.id, True, now, policy)
    wanted = NowRequest(applicant_language="pus", officer_language="srp", case_reference="RS-TRY-1")
    answer = request_now(wanted, actor_of(jelena), now, policy, key_ring(current_settings()))
    assert answer.answer is Answer.RINGING
    rung = db.session.scalars(select(OnDemandRing.interpreter_id).where(OnDemandRing.call_id == answer.call_id)).all()
    assert mariam.interpreter_profile.id in rung
    assert db.session.get_one(OnDemandCall, answer.call_id).booking.on_demand
