"""The live connection of "an interpreter now" through the real signalling service on 127.0.0.1:
interpreters' pages ring and stop ringing, officers' pages follow their request, a closed or silent
page stops being rung, and bad tickets are turned away. Tickets are signed as the portal signs them;
the core's use cases run in the service's own database thread; time is the app's FrozenClock."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from babel import Locale
from sqlalchemy import select

from rris.access.domain.permissions import Actor
from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking, BookingEvent
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket
from rris.context import current_settings
from rris.enums import BookingState, CallRole
from rris.extensions import db
from rris.ondemand.domain.presence_tickets import PresenceTicket, sign_presence_ticket
from rris.ondemand.domain.states import Answer, CallState, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import accept_ring, decline_ring
from rris.ondemand.services.presence import set_available
from rris.ondemand.services.requests import NowAnswer
from signaling.presence import SILENT
from signaling.protocol import Close
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY, ask
from tests.signaling.test_call_protocol import run
from tests.support.call_bookings import token
from tests.support.call_peers import FAST, ProtocolClient, SignalingUnderTest

NOW = DEFAULT_NOW  # Monday 08:00 UTC: inside the interpreters' hours


@pytest.fixture
def officer(ctx):
    jelena = factories.caseworker("RS", name="Jelena Marković")
    db.session.commit()
    return actor_of(jelena)


@dataclass(frozen=True)
class Interpreter:
    """An interpreter as plain values: the test's thread must not read the database while the
    service's thread uses the one connection."""

    id: int
    user_id: int
    actor: Actor


def interpreters(count: int, available: bool = True) -> list[Interpreter]:
    """Pashto-Serbian interpreters accredited for Serbia, switched "available now" at NOW when `available`."""
    profiles = [factories.interpreter(pairs=(("pus", "srp"),)) for _ in range(count)]
    db.session.commit()
    for profile in profiles:
        if available:
            set_available(profile.id, True, NOW, POLICY)
    return [Interpreter(p.id, p.user.id, actor_of(p.user)) for p in profiles]


def presence_token(
    clock, interpreter: Interpreter | None = None, officer=None, call_id: int | None = None, locale: str = "ps"
) -> str:
    """The presence ticket the portal's page gets now."""
    if interpreter is not None:
        ticket = PresenceTicket.for_interpreter(interpreter.id, locale, clock.now())
    else:
        ticket = PresenceTicket.for_officer(officer.user_id, call_id, locale, clock.now())
    return sign_presence_ticket(ticket, current_settings().secret_key)


async def open_page(service: SignalingUnderTest, token: str) -> ProtocolClient:
    page = await service.connect(url=service.presence_url)
    await page.send("hello", ticket=token)
    welcome = await page.expect("welcome")
    assert welcome["heartbeat_seconds"] == current_settings().presence_heartbeat_seconds
    return page


async def open_pages(service: SignalingUnderTest, clock, *people: Interpreter) -> list[ProtocolClient]:
    """A live page for each of these interpreters, in Pashto."""
    return [await open_page(service, presence_token(clock, person)) for person in people]


def push_interval() -> float:
    return current_settings().ondemand_push_ms / 1000


def live_ring(interpreter_id: int) -> OnDemandRing | None:
    statement = select(OnDemandRing).where(
        OnDemandRing.interpreter_id == interpreter_id, OnDemandRing.ended_at.is_(None)
    )
    return db.session.scalar(statement.execution_options(populate_existing=True))


def call_state(call_id: int) -> CallState:
    return db.session.get_one(OnDemandCall, call_id, populate_existing=True).state


def test_a_request_rings_the_interpreters_pages_at_once_and_the_others_stop_when_one_accepts(app, clock, officer):
    mariam, nadia = interpreters(2)
    nadia_actor = nadia.actor
    serbia_in_pashto = Locale.parse("ps").territories["RS"]

    async def scenario(service: SignalingUnderTest) -> None:
        mariams = await open_page(service, presence_token(clock, mariam, locale="ps"))
        nadias = await open_page(service, presence_token(clock, nadia, locale="tr"))
        assert (await mariams.expect("presence"))["available"] is True
        asked = time.monotonic()
        heard: NowAnswer = await service.core(ask, officer, clock.now())
        assert heard.answer is Answer.RINGING
        ring = await mariams.expect("ring", timeout=2.0)
        # The pages poll every RRIS_ONDEMAND_PUSH_MS; generous slack for a busy test machine.
        assert time.monotonic() - asked < push_interval() + 0.9
        other = await nadias.expect("ring", timeout=2.0)
        assert ring["call_id"] == other["call_id"] == heard.call_id
        assert ring["until"] == (NOW + timedelta(seconds=POLICY.ring_seconds)).isoformat()
        assert serbia_in_pashto in ring["summary"]  # worded in the ticket's locale
        assert "Sırbistan" in other["summary"]

        await service.core(accept_ring, other["ring_id"], nadia_actor, clock.now(), POLICY)
        ended = await mariams.expect("ring_ended")
        assert ended == {"type": "ring_ended", "ring_id": ring["ring_id"], "outcome": "stopped"}
        assert (await nadias.expect("ring_ended"))["outcome"] == "accepted"
        await mariams.close()
        await nadias.close()

    run(app, clock, scenario)


def test_an_officers_page_follows_the_request_from_the_queue_to_the_call(app, clock, officer):
    [mariam] = interpreters(1, available=False)
    mariam_actor = mariam.actor
    heard = ask(officer, NOW, wait=True)
    assert heard.answer is Answer.QUEUED
    booking_id = db.session.get_one(OnDemandCall, heard.call_id).booking_id

    async def scenario(service: SignalingUnderTest) -> None:
        page = await open_page(service, presence_token(clock, officer=officer, call_id=heard.call_id, locale="sr_Latn"))
        assert await page.expect("status") == {
            "type": "status",
            "state": "waiting",
            "position": 1,
            "expected_wait_seconds": None,
            "call_url": None,
        }
        mariams = await open_page(service, presence_token(clock, mariam))
        assert (await mariams.expect("presence"))["available"] is False
        clock.advance(timedelta(seconds=3))
        await service.core(set_available, mariam.id, True, clock.now(), POLICY)
        assert (await mariams.expect("presence"))["available"] is True  # pushed to her other pages too
        assert (await page.expect("status"))["state"] == "ringing"
        ring = await mariams.expect("ring")
        await service.core(accept_ring, ring["ring_id"], mariam_actor, clock.now(), POLICY)
        answered = await page.expect("status")
        assert answered["state"] == "answered" and answered["call_url"] == f"/calls/{booking_id}"
        await page.close()
        await mariams.close()

    run(app, clock, scenario)


def test_an_interpreter_who_closes_the_page_stops_being_rung_at_once(app, clock, officer):
    mariam, nadia = interpreters(2)

    async def scenario(service: SignalingUnderTest) -> None:
        mariams, nadias = await open_pages(service, clock, mariam, nadia)
        heard = await service.core(ask, officer, clock.now())
        await mariams.expect("ring")
        await nadias.expect("ring")
        await mariams.close()
        async with asyncio.timeout(5):
            while await service.core(live_ring, mariam.id) is not None:
                await asyncio.sleep(0.05)
        outcomes = await service.core(
            lambda: {r.interpreter_id: r.outcome for r in db.session.get_one(OnDemandCall, heard.call_id).rings}
        )
        assert outcomes == {mariam.id: RingOutcome.MISSED, nadia.id: None}
        # Unreachable at once, not when her beats would have lapsed: a new request rings only Nadia.
        await service.core(decline_ring, (await service.core(live_ring, nadia.id)).id, nadia.actor, clock.now(), POLICY)
        again = await service.core(ask, officer, clock.now() + timedelta(seconds=1))
        assert again.answer is Answer.RINGING
        assert await service.core(live_ring, mariam.id) is None
        await nadias.close()

    run(app, clock, scenario)


def test_with_two_tabs_open_closing_one_keeps_her_reachable(app, clock, officer):
    [mariam] = interpreters(1)

    async def scenario(service: SignalingUnderTest) -> None:
        first, second = await open_pages(service, clock, mariam, mariam)
        await first.close()
        await asyncio.sleep(3 * push_interval())
        heard = await service.core(ask, officer, clock.now())
        assert heard.answer is Answer.RINGING
        assert (await second.expect("ring"))["call_id"] == heard.call_id
        await second.close()

    run(app, clock, scenario)


def test_a_page_that_beats_keeps_her_reachable_and_a_silent_one_is_closed_and_lapses(app, clock, officer):
    mariam, nadia = interpreters(2)

    async def scenario(service: SignalingUnderTest) -> None:
        mariams, nadias = await open_pages(service, clock, mariam, nadia)
        for _ in range(3):  # Mariam's page beats every 10 s; Nadia's has gone quiet (a frozen tab)
            clock.advance(timedelta(seconds=POLICY.heartbeat_seconds))
            await mariams.send("beat")
            await asyncio.sleep(3 * push_interval())
        assert await nadias.close_code() == SILENT
        assert not mariams.closed.is_set()
        heard = await service.core(ask, officer, clock.now())
        assert heard.answer is Answer.RINGING
        assert (await mariams.expect("ring"))["call_id"] == heard.call_id
        assert await service.core(live_ring, nadia.id) is None
        presence = await service.core(db.session.get, InterpreterPresence, nadia.id)
        assert presence.available and presence.last_heartbeat_at is None
        await mariams.close()

    run(app, clock, scenario)


def test_a_bad_expired_or_other_kind_of_ticket_is_refused_with_its_reason(app, clock, officer):
    [mariam] = interpreters(1)
    secret = current_settings().secret_key
    good = presence_token(clock, mariam)
    payload, signature = good.split(".")
    call_ticket = sign_ticket(
        CallTicket(
            room="r8Qk2vXn0aLpZ3",
            booking_id=1,
            participant=Participant.user(mariam.user_id),
            role=CallRole.INTERPRETER,
            display_name="Mariam",
            not_before=NOW - timedelta(minutes=15),
            expires_at=NOW + timedelta(hours=1),
            nonce="n-1",
        ),
        secret,
    )
    cases = {
        "garbage": ({"type": "hello", "ticket": "garbage"}, "malformed", Close.TICKET_REFUSED),
        "retouched": ({"type": "hello", "ticket": payload + "x." + signature}, "bad_signature", Close.TICKET_REFUSED),
        "a call ticket": ({"type": "hello", "ticket": call_ticket}, "wrong_channel", Close.TICKET_REFUSED),
        "no hello": ({"type": "beat"}, "hello_first", Close.BAD_FRAME),
    }

    async def scenario(service: SignalingUnderTest) -> None:
        for name, (frame, reason, code) in cases.items():
            page = await service.connect(url=service.presence_url)
            await page.send(frame.pop("type"), **frame)
            refused = await page.expect("refused")
            assert refused["reason"] == reason, name
            assert refused["message"], name
            assert await page.close_code() == code, name
        clock.advance(timedelta(minutes=2))
        page = await service.connect(url=service.presence_url)
        await page.send("hello", ticket=good)
        assert (await page.expect("refused"))["reason"] == "expired"
        assert await page.close_code() == Close.TICKET_REFUSED

    run(app, clock, scenario)


def answered_call(officer_user, clock) -> tuple[int, int]:
    """An on-demand request Mariam answered at NOW: (call id, booking id)."""
    [mariam] = interpreters(1)
    heard = ask(actor_of(officer_user), NOW)
    ring = live_ring(mariam.id)
    assert heard.answer is Answer.RINGING and ring is not None
    call = accept_ring(ring.id, mariam.actor, NOW, POLICY)
    return call.id, call.booking_id


async def wait_for_state(service: SignalingUnderTest, call_id: int, state: CallState, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while await service.core(call_state, call_id) is not state:
            await asyncio.sleep(0.05)


def test_an_on_demand_call_is_connected_when_both_are_in_and_ended_when_both_have_left(app, clock, ctx):
    jelena = factories.caseworker("RS", name="Jelena Marković")
    db.session.commit()
    call_id, booking_id = answered_call(jelena, clock)
    booking = db.session.get_one(Booking, booking_id)
    mariam_user = booking.active_assignments[0].interpreter.user
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam_user, clock)
    again_token = token(booking, mariam_user, clock)
    mariam_peer = f"user-{mariam_user.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        officers = await service.connect()
        await officers.join(officer_token)
        interpreters_page = await service.connect()
        await interpreters_page.join(interpreter_token)
        await officers.send("status", peer=mariam_peer, state="connecting")
        await asyncio.sleep(3 * push_interval())
        assert await service.core(call_state, call_id) is CallState.ANSWERED
        clock.advance(timedelta(seconds=20))
        await officers.send("status", peer=mariam_peer, state="connected")
        await wait_for_state(service, call_id, CallState.CONNECTED)

        # Both hang up; she comes back within the grace: the call goes on.
        await officers.send("leave")
        await interpreters_page.send("leave")
        await officers.close_code()
        await interpreters_page.close_code()
        back = await service.connect()
        await back.join(again_token)
        await asyncio.sleep(FAST.away_grace_seconds * 2)
        assert await service.core(call_state, call_id) is CallState.CONNECTED

        # She leaves too, and nobody comes back: the system ends the call.
        clock.advance(timedelta(minutes=12))
        await back.send("leave")
        await back.close_code()
        await wait_for_state(service, call_id, CallState.ENDED)

    run(app, clock, scenario)
    call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
    assert call.connected_at == NOW + timedelta(seconds=20)
    assert call.ended_at == NOW + timedelta(seconds=20, minutes=12)
    booking = db.session.get_one(Booking, booking_id, populate_existing=True)
    assert booking.state is BookingState.COMPLETED and booking.ends_at == call.ended_at
    events = db.session.execute(
        select(BookingEvent.action, BookingEvent.actor_id).where(BookingEvent.booking_id == booking_id)
    )
    assert list(events)[-2:] == [("start", None), ("complete", None)]  # the system, not a person
