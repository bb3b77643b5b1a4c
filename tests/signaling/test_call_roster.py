"""A ticket admits its holder only while they take part in the session: the real signalling service
on 127.0.0.1 asks the roster at every join and every few seconds (0.2 s here), and cuts off whoever
lost their part: a released or replaced interpreter, a withdrawn guest, everyone of a cancelled
session. The portal's changes run on the service's database thread (`in_core`), as another process
would make them, so the test's one database connection is never used by two threads at once."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.services.bookings import assign_by_hand, cancel_booking, reschedule_booking
from rris.calls.services.call_access import issue_join_ticket
from rris.calls.services.call_guests import withdraw_guest
from rris.enums import CallRole, PhoneLegStatus, Role
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from signaling.protocol import Close
from tests import factories
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.booking_setup import booking_setup
from tests.support.call_bookings import attendances, call_setup, guest_token, token
from tests.support.call_peers import (
    WATCHFUL,
    AiortcParticipant,
    ProtocolClient,
    SignalingUnderTest,
    running_signaling,
)
from tests.support.database_outage import database_outage
from tests.support.media_streams import PhoneSide

OFFICER_HZ, INTERPRETER_HZ = 440.0, 880.0
CUT_OFF_SECONDS = 2.0  # the re-check runs every 0.2 s in these tests (every 5 s in production)


def run(app, clock, scenario: Callable[[SignalingUnderTest], Awaitable[None]], timings=WATCHFUL) -> None:
    async def main() -> None:
        async with running_signaling(app, clock, timings) as service:
            async with asyncio.timeout(60):
                await scenario(service)
            await service.service.recorder.drain()

    asyncio.run(main())


async def in_core(service: SignalingUnderTest, function: Callable[..., Any], *args: Any) -> Any:
    """Run a core function on the service's database thread, inside the app's context."""
    return await service.service.recorder.call(function, *args)


@dataclass(frozen=True)
class Replacement:
    """A coordinator, and the interpreter she gives the job to instead (ids: usable on any thread)."""

    coordinator_id: int
    interpreter_id: int
    user_id: int


def a_replacement() -> Replacement:
    hub = factories.user(Role.COORDINATOR, email="hub@marri.example")
    farid = factories.interpreter(pairs=(("pus", "srp"),), name="Farid Rahimi")
    db.session.commit()
    return Replacement(hub.id, farid.id, farid.user_id)


def with_verified_phone(user: User) -> None:
    user.phone, user.phone_verified_at = "+93701234567", datetime(2026, 1, 1, tzinfo=UTC)  # in Kabul
    db.session.commit()


def reassign(booking_id: int, replacement: Replacement, now: datetime) -> None:
    """The coordinator gives the job to the other interpreter."""
    coordinator = db.session.get(User, replacement.coordinator_id)
    assign_by_hand(booking_id, replacement.interpreter_id, actor_of(coordinator), now, despite=True)


def cancel(booking_id: int, caseworker_id: int, now: datetime) -> None:
    cancel_booking(booking_id, actor_of(db.session.get(User, caseworker_id)), "The applicant withdrew.", now)


def withdraw(booking_id: int, guest_id: int, officer_id: int, now: datetime) -> None:
    officer = db.session.get(User, officer_id)
    withdraw_guest(booking_id, guest_id, actor_of(officer), officer, now)


def ticket_of(booking_id: int, user_id: int, now: datetime) -> str:
    """The join ticket the portal issues to the user now."""
    user = db.session.get(User, user_id)
    return issue_join_ticket(booking_id, actor_of(user), user, now, call_setup().secret_key)[1]


def errors(client: ProtocolClient) -> list[str]:
    """The error codes a client received, from the frames as they came over the wire."""
    return [frame["code"] for frame in map(json.loads, client.frames) if frame["type"] == "error"]


async def until(condition: Callable[[], bool], timeout: float = CUT_OFF_SECONDS) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_an_interpreter_released_from_her_job_is_refused_with_her_old_ticket(app, clock, call):
    booking, jelena, mariam = call
    officer_token, old_ticket = token(booking, jelena, clock), token(booking, mariam, clock)
    # Moved to next week: she is released and the job is offered again.
    reschedule_booking(booking.id, actor_of(jelena), datetime(2026, 1, 21, 9, 0), None, clock.now(), booking_setup())

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        for resume in (False, True):  # a new page, and the same page coming back
            interpreter = await service.connect()
            await interpreter.send("join", ticket=old_ticket, resume=resume)
            assert (await interpreter.expect("error"))["code"] == "removed"
            assert await interpreter.close_code() == Close.REMOVED
        await officer.send("ping")
        await officer.expect("pong")
        assert officer.inbox.empty()  # she was never announced, nothing of hers was relayed
        await officer.close()

    run(app, clock, scenario)
    assert [a.role for a in attendances(booking)] == [CallRole.OFFICER]


@pytest.mark.usefixtures("loopback_ice")
def test_an_interpreter_replaced_during_the_call_is_cut_off_and_the_new_one_takes_her_place(app, clock, call):
    booking, jelena, mariam = call
    farid = a_replacement()
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)
    booking_id = booking.id
    officer_id, mariam_id = f"user-{jelena.id}", f"user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        officer = AiortcParticipant(await service.connect(), OFFICER_HZ)
        interpreter = AiortcParticipant(await service.connect(), INTERPRETER_HZ)
        await officer.join(tokens[0])
        await interpreter.join(tokens[1])
        await officer.wait_connected(mariam_id)
        await officer.wait_heard(mariam_id, frames=25)

        await in_core(service, reassign, booking_id, farid, clock.now())
        started = asyncio.get_running_loop().time()
        assert await interpreter.client.close_code(timeout=CUT_OFF_SECONDS) == Close.REMOVED
        assert asyncio.get_running_loop().time() - started < CUT_OFF_SECONDS
        assert errors(interpreter.client) == ["removed"]
        # The officer's page is told she left, and drops its peer connection to her: no more media.
        await until(lambda: mariam_id not in officer.connections)
        left = [frame for frame in map(json.loads, officer.client.frames) if frame["type"] == "peer-left"]
        assert left == [{"type": "peer-left", "peer": mariam_id, "reason": "removed"}]
        again = await service.connect()  # her old ticket no longer gets her in
        await again.send("join", ticket=tokens[1], resume=True)
        assert await again.close_code() == Close.REMOVED

        newcomer = AiortcParticipant(await service.connect(), INTERPRETER_HZ * 1.5)
        welcome = await newcomer.join(await in_core(service, ticket_of, booking_id, farid.user_id, clock.now()))
        assert [peer["id"] for peer in welcome["peers"]] == [officer_id]
        await officer.wait_connected(newcomer.me)
        await officer.wait_heard(newcomer.me, frames=25)
        for person in (officer, interpreter, newcomer):
            await person.close()

    run(app, clock, scenario)
    reasons = [(a.user_id, a.left_reason) for a in attendances(booking) if a.role is CallRole.INTERPRETER]
    assert reasons[0] == (mariam.id, "removed") and reasons[1][0] == farid.user_id


def test_a_cancelled_session_closes_its_call_for_everyone(app, clock, call):
    booking, jelena, mariam = call
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)
    adviser = guest_token(booking, jelena, clock, "Legal adviser")
    booking_id, jelena_id = booking.id, jelena.id

    async def scenario(service: SignalingUnderTest) -> None:
        people = [await service.connect() for _ in range(3)]
        for person, ticket in zip(people, (*tokens, adviser), strict=True):
            await person.join(ticket)
        await in_core(service, cancel, booking_id, jelena_id, clock.now())
        for person in people:
            assert await person.close_code(timeout=CUT_OFF_SECONDS) == Close.CALL_OVER
            assert errors(person) == ["call_cancelled"]
        late = await service.connect()
        await late.send("join", ticket=tokens[0])
        assert (await late.expect("error"))["code"] == "call_cancelled"
        assert await late.close_code() == Close.CALL_OVER

    run(app, clock, scenario)
    assert {a.left_reason for a in attendances(booking)} == {"call_cancelled"}


def test_a_guest_whose_invitation_is_withdrawn_is_cut_off(app, clock, call):
    booking, jelena, _mariam = call
    officer_token, adviser = token(booking, jelena, clock), guest_token(booking, jelena, clock, "Legal adviser")
    booking_id, jelena_id = booking.id, jelena.id

    async def scenario(service: SignalingUnderTest) -> None:
        officer, guest = await service.connect(), await service.connect()
        await officer.join(officer_token)
        guest_id = (await guest.join(adviser))["you"]["id"]
        await officer.expect("peer-joined")
        await in_core(service, withdraw, booking_id, int(guest_id.removeprefix("guest-")), jelena_id, clock.now())
        assert await guest.close_code(timeout=CUT_OFF_SECONDS) == Close.REMOVED
        assert await officer.expect("peer-left") == {"type": "peer-left", "peer": guest_id, "reason": "removed"}
        await officer.close()

    run(app, clock, scenario)


def test_while_the_database_is_away_those_in_the_call_stay_and_newcomers_wait(app, clock, call):
    """Joins fail closed (1013, the page tries again), those connected stay (fail open): see
    `signaling/roster.py`. A change made meanwhile takes effect at the first check that gets an answer."""
    booking, jelena, mariam = call
    farid = a_replacement()
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam, clock)
    second_tab = token(booking, jelena, clock)
    mariam_id = f"user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        calls = service.service
        officer, interpreter = await service.connect(), await service.connect()
        await officer.join(officer_token)
        await interpreter.join(interpreter_token)
        await officer.expect("peer-joined")
        await calls.recorder.drain()
        with database_outage():
            for _check in range(3):
                await calls.check_rosters()
            # The portal still reaches the database: the job goes to Farid meanwhile.
            reassign(booking.id, farid, clock.now())
            await calls.check_rosters()
            for person in (officer, interpreter):
                await person.send("ping")
                await person.expect("pong")
            newcomer = await service.connect()
            await newcomer.send("join", ticket=second_tab)
            assert (await newcomer.expect("error"))["code"] == "try_again"
            assert await newcomer.close_code() == Close.TRY_AGAIN
        assert not interpreter.closed.is_set() and officer.inbox.empty()
        await calls.check_rosters()  # the database answers again
        assert await interpreter.close_code() == Close.REMOVED
        assert (await officer.expect("peer-left"))["peer"] == mariam_id
        retried = await service.connect()
        assert (await retried.join(second_tab))["you"]["id"] == f"user-{jelena.id}"
        await retried.close()

    run(app, clock, scenario, timings=dataclasses.replace(WATCHFUL, roster_check_seconds=3600.0))


def test_the_phone_of_an_interpreter_who_loses_the_job_stops_ringing_and_cannot_join(app, clock, call):
    booking, jelena, mariam = call
    with_verified_phone(mariam)
    farid = a_replacement()
    own_page_token = token(booking, mariam, clock)
    booking_id = booking.id

    async def scenario(service: SignalingUnderTest) -> None:
        own_page = await service.connect()
        await own_page.join(own_page_token)
        await own_page.send("phone", action="call")
        dialing = await own_page.expect("phone")
        assert dialing["state"] == "dialing"  # offline: a simulated leg, rung until answered
        await in_core(service, reassign, booking_id, farid, clock.now())
        assert await own_page.close_code(timeout=CUT_OFF_SECONDS) == Close.REMOVED
        await service.service.phones.close()  # the hang-up runs in the background
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(dialing["simulator_url"].partition("#")[2])  # answered too late
        assert await phone.close_code() == Close.CALL_OVER

    run(app, clock, scenario)
    db.session.expire_all()
    [leg] = db.session.scalars(select(PhoneLeg).where(PhoneLeg.booking_id == booking.id)).all()
    assert leg.status is PhoneLegStatus.COMPLETED and leg.answered_at is None and leg.ended_at is not None
    assert [a.channel for a in attendances(booking)] == ["browser"]


def test_the_phone_of_an_interpreter_replaced_during_the_call_leaves_with_her(app, clock, call):
    booking, jelena, mariam = call
    with_verified_phone(mariam)
    farid = a_replacement()
    officer_token, own_page_token = token(booking, jelena, clock), token(booking, mariam, clock)
    booking_id = booking.id
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        officer, own_page = await service.connect(), await service.connect()
        await officer.join(officer_token)
        await own_page.join(own_page_token)
        await own_page.send("phone", action="call")
        dialing = await own_page.expect("phone")
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(dialing["simulator_url"].partition("#")[2])
        while (await officer.expect("peer-joined"))["peer"]["id"] != phone_id:
            pass
        await in_core(service, reassign, booking_id, farid, clock.now())
        assert await phone.close_code(timeout=CUT_OFF_SECONDS) == Close.REMOVED
        assert await own_page.close_code(timeout=CUT_OFF_SECONDS) == Close.REMOVED
        gone = {(await officer.expect("peer-left"))["peer"] for _ in range(2)}
        assert gone == {phone_id, f"user-{mariam.id}"}
        await service.service.phones.close()
        await officer.close()

    run(app, clock, scenario)
    db.session.expire_all()
    [leg] = db.session.scalars(select(PhoneLeg).where(PhoneLeg.booking_id == booking.id)).all()
    assert leg.status is PhoneLegStatus.COMPLETED and leg.ended_at is not None
    phone_stays = [a.left_reason for a in attendances(booking) if a.channel == "phone"]
    assert phone_stays == ["removed"]
