"""The live on-demand pages through the real signalling service on 127.0.0.1, when things go
wrong: an answered call nobody joins ends and the officer's page is told; an interpreter's page
that reloads or drops for a moment while ringing keeps ringing, one that closes stops being rung.
Time is the app's FrozenClock; the core's use cases run in the service's own database thread."""

from __future__ import annotations

from datetime import timedelta

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking
from rris.enums import BookingState
from rris.extensions import db
from rris.ondemand.domain.states import CallState
from scheduler.jobs import end_unjoined_calls
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY
from tests.signaling.test_call_protocol import run
from tests.signaling.test_ondemand_live import answered_call, call_state, open_page, presence_token
from tests.support.call_peers import SignalingUnderTest

NOW = DEFAULT_NOW


def test_an_answered_call_nobody_joins_ends_as_a_technical_failure_and_the_officers_page_is_told(app, clock, ctx):
    jelena = factories.caseworker("RS", name="Jelena Marković")
    db.session.commit()
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

