"""The live on-demand pages through the real signalling service on 127.0.0.1, when things go
wrong: an answered call nobody joins ends and the officer's page is told; an interpreter's page
that reloads or drops for a moment while ringing keeps ringing, one that closes stops being rung.
Time is the app's FrozenClock; the core's use cases run in the service's own database thread."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking
from rris.enums import BookingState
from rris.extensions import db
from rris.ondemand.domain.states import CallState, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall
from rris.ondemand.services.answering import accept_ring
from scheduler.jobs import end_unjoined_calls
from signaling.calls import Timings
from signaling.presence import reconnect_grace
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY, ask
from tests.signaling.test_call_protocol import run
from tests.signaling.test_ondemand_live import (
    answered_call,
    call_state,
    interpreters,
    live_ring,
    open_page,
    open_pages,
    presence_token,
)
from tests.support.call_peers import FAST, SignalingUnderTest

NOW = DEFAULT_NOW


@pytest.fixture
def jelena(ctx):
    """An officer of Serbia's asylum office."""
    user = factories.caseworker("RS", name="Jelena Marković")
    db.session.commit()
    return user


def test_an_answered_call_nobody_joins_ends_as_a_technical_failure_and_the_officers_page_is_told(app, clock, jelena):
    officer = actor_of(jelena)
    call_id, booking_id = answered_call(jelena, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        page = await open_page(service, presence_token(clock, officer=officer, call_id=call_id, locale="sr_Latn"))
        answered = await page.expect("status")
        assert answered["state"] == "answered" and answered["call_url"] == f"/calls/{booking_id}"
        clock.advance(timedelta(minutes=POLICY.join_minutes) - timedelta(seconds=2))
        await service.core(end_unjoined_calls)
        assert await service.core(call_state, call_id) is CallState.ANSWERED
        clock.advance(timedelta(seconds=2))
        await service.core(end_unjoined_calls)  # the scheduler's two-second job
        assert await page.expect("status") == {
            "type": "status",
            "state": "ended",
            "position": None,
            "expected_wait_seconds": None,
            "call_url": None,
        }
        await page.close()

    run(app, clock, scenario)
    booking = db.session.get_one(Booking, booking_id, populate_existing=True)
    assert booking.state is BookingState.TECHNICAL_FAILURE
    assert booking.ends_at == NOW + timedelta(minutes=POLICY.join_minutes)



def test_a_reload_while_ringing_keeps_the_ring_and_shows_it_on_the_new_page(app, clock, jelena):
    officer = actor_of(jelena)
    mariam, nadia = interpreters(2)

    async def scenario(service: SignalingUnderTest) -> None:
        mariams, nadias = await open_pages(service, clock, mariam, nadia)
        heard = await service.core(ask, officer, clock.now())
        ring = await mariams.expect("ring")
        await nadias.expect("ring")
        await mariams.close()  # she reloads the page: the old one closes, the new one opens
        reloaded = await open_page(service, presence_token(clock, mariam))
        again = await reloaded.expect("ring")
        assert (again["ring_id"], again["call_id"], again["until"]) == (ring["ring_id"], heard.call_id, ring["until"])
        await asyncio.sleep(2 * FAST.away_grace_seconds)  # past the grace: she never went away
        still = await service.core(live_ring, mariam.id)
        assert still is not None and still.id == ring["ring_id"]
        await service.core(accept_ring, ring["ring_id"], mariam.actor, clock.now(), POLICY)
        assert (await reloaded.expect("ring_ended"))["outcome"] == "accepted"
        await reloaded.close()
        await nadias.close()

    run(app, clock, scenario)


def test_a_page_that_does_not_come_back_stops_being_rung_well_within_the_heartbeats_span(app, clock, jelena):
    officer = actor_of(jelena)
    [mariam] = interpreters(1)

    async def scenario(service: SignalingUnderTest) -> None:
        [mariams] = await open_pages(service, clock, mariam)
        heard = await service.core(ask, officer, clock.now())
        await mariams.expect("ring")
        closed = time.monotonic()
        await mariams.close()
        async with asyncio.timeout(POLICY.heartbeat_seconds):
            while await service.core(live_ring, mariam.id) is not None:
                await asyncio.sleep(0.05)
        assert time.monotonic() - closed >= FAST.away_grace_seconds * 0.9  # the grace was waited
        outcomes = await service.core(
            lambda: [ring.outcome for ring in db.session.get_one(OnDemandCall, heard.call_id).rings]
        )
        assert outcomes == [RingOutcome.MISSED]
        presence = await service.core(db.session.get, InterpreterPresence, mariam.id)
        assert presence.last_heartbeat_at is None  # unreachable: a new request does not ring her

    run(app, clock, scenario)


def test_the_grace_for_a_page_to_come_back_is_a_few_seconds_and_at_most_half_the_heartbeats_span():
    assert reconnect_grace(Timings(), 10) == 5.0  # the call service's grace for a dropped participant
    assert reconnect_grace(Timings(), 4) == 2.0
