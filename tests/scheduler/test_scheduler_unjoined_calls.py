"""The scheduler's on-demand upkeep for answered calls: one the officer and the interpreter never
got connected in RRIS_ONDEMAND_JOIN_MINUTES ends as a technical failure by the system, and the
interpreter it held is free for the next request at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking, BookingEvent
from rris.context import current_settings
from rris.enums import BookingState
from rris.extensions import db
from rris.ondemand.domain.states import Answer, CallState
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.services.answering import mark_connected
from rris.ondemand.services.presence import heartbeat
from scheduler.jobs import end_unjoined_calls
from scheduler.runner import JOBS
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY, answer, ask, available_interpreter, live_ring_of

JOIN = timedelta(minutes=3)


def test_the_job_runs_every_two_seconds():
    [job] = [job for job in JOBS if job.function is end_unjoined_calls]
    assert job.every_seconds == 2


def test_the_join_time_is_a_setting_of_three_minutes_by_default(app, ctx):
    assert current_settings().ondemand_join_minutes == 3 == JOIN.seconds // 60


def test_an_answered_call_nobody_joined_ends_as_a_technical_failure_and_frees_the_interpreter(app, ctx, clock):
    officer = actor_of(factories.caseworker("RS"))
    db.session.commit()
    mariam = available_interpreter(DEFAULT_NOW)
    first = ask(officer, DEFAULT_NOW)
    assert first.answer is Answer.RINGING
    call_id = answer(mariam, DEFAULT_NOW)
    second = ask(officer, DEFAULT_NOW + timedelta(seconds=30), wait=True)
    assert second.answer is Answer.QUEUED  # she is held by the first call

    for seconds in (30, 20, 10):  # her page keeps beating throughout
        assert heartbeat(mariam.id, DEFAULT_NOW + JOIN - timedelta(seconds=seconds), POLICY)
    clock.set(DEFAULT_NOW + JOIN - timedelta(seconds=1))
    end_unjoined_calls()
    assert db.session.get_one(OnDemandCall, call_id, populate_existing=True).state is CallState.ANSWERED
    assert live_ring_of(mariam.id) is None

    clock.set(DEFAULT_NOW + JOIN)
    end_unjoined_calls()
    call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
    assert call.state is CallState.ENDED and call.ended_at == DEFAULT_NOW + JOIN and call.connected_at is None
    booking = db.session.get_one(Booking, call.booking_id, populate_existing=True)
    assert booking.state is BookingState.TECHNICAL_FAILURE
    assert booking.active_assignments[0].busy_until == DEFAULT_NOW + JOIN  # no longer the 60-minute hold
    last = db.session.execute(
        select(BookingEvent.action, BookingEvent.actor_id)
        .where(BookingEvent.booking_id == booking.id)
        .order_by(BookingEvent.id.desc())
    ).first()
    assert tuple(last) == ("mark_technical_failure", None)  # the system, not a person
    ring = live_ring_of(mariam.id)
    assert ring is not None and ring.call_id == second.call_id  # the queue she serves was served

    end_unjoined_calls()  # ended once: a second run changes nothing
    events = db.session.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == booking.id))
    assert list(events).count("mark_technical_failure") == 1


def test_a_connected_call_is_left_alone_however_long_it_lasts(app, ctx, clock):
    officer = actor_of(factories.caseworker("RS"))
    db.session.commit()
    mariam = available_interpreter(DEFAULT_NOW)
    assert ask(officer, DEFAULT_NOW).answer is Answer.RINGING
    call_id = answer(mariam, DEFAULT_NOW)
    mark_connected(call_id, DEFAULT_NOW + JOIN - timedelta(seconds=5))
    clock.set(DEFAULT_NOW + timedelta(minutes=40))
    end_unjoined_calls()
    assert db.session.get_one(OnDemandCall, call_id, populate_existing=True).state is CallState.CONNECTED
