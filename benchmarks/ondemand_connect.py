"""An interpreter now (issue 17): accept to both connected, and the same peers directly as the floor.

After the stream of requests (`benchmarks/ondemand.py`), on the same database: an officer asks for
an interpreter now; her live page (`/ondemand/ws`, following the request) and the rung
interpreter's live page are open and the ring has reached the interpreter's page. The clock starts
as she accepts, and runs while the two people act on their own, as two browsers do, until both
RTCPeerConnections report "connected":
- the interpreter: once her acceptance is answered, her call page gets its join ticket
  (`issue_join_ticket`, as `/calls/<booking_id>` does), opens its WebSocket to the signalling
  service (in this process on 127.0.0.1, production timings, its records written to this
  database) and joins as an aiortc peer;
- the officer: once her live page is told the call's address, the same.
Two ways of accepting, alternating: on her live page (the "accept" frame: the node commits it and
tells the officer's page at once), and by the form post the portal answers (`accept_ring` in a
thread of its own, as a portal process; the officer's page learns at the node's next read, or on
PostgreSQL at the commit's notice). `officer_told`: the acceptance until the officer's page has
the call's address. Each database call of a page runs in a thread with its own connection.

The floor is `benchmarks/call_join.py`'s: the same two peers with offer and answer handed over
in memory, timed from the offer to both connected. Each way warms up once; the three alternate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import select

from benchmarks.call_join import CONNECT_TIMEOUT_SECONDS, INTERPRETER_HZ, OFFICER_HZ, WARMUPS, direct
from benchmarks.call_rooms import BenchRoom, loopback_ice
from benchmarks.report import Reporter, percentile
from rris.access.domain.permissions import Actor
from rris.accounts.models.accounts import User
from rris.bookings.services.applicant_keys import key_ring
from rris.calls.services.call_access import issue_join_ticket
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence_tickets import PresenceTicket, sign_presence_ticket
from rris.ondemand.domain.states import Answer
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import accept_ring, hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat
from rris.ondemand.services.requests import request_now
from rris.timeutil import FrozenClock
from signaling.calls import Timings
from tests.support.call_peers import AiortcParticipant, ProtocolClient, SignalingUnderTest, running_signaling

if TYPE_CHECKING:
    from benchmarks.ondemand import World

BETWEEN_CALLS = timedelta(minutes=2)
PAGE_LOCALE = "en"
WAYS = ("page", "form")  # how she accepts: on her live page, or by the form post



def _in_context(app: Flask, function: Callable[..., Any], *args: Any) -> Any:
    """Run a core use case in a fresh app context of this thread (a process of its own would)."""
    with app.app_context():
        try:
            return function(*args)
        finally:
            db.session.remove()


def _ring(app: Flask, world: World, number: int, now: datetime) -> tuple[Actor, int, int, OnDemandRing] | None:
    """An officer asks (the next caller whose request rings at once); (the officer, call id, booking id,
    its first ring)."""
    policy = OnDemandPolicy.from_settings(app.extensions["rris.settings"])
    keys = key_ring(app.extensions["rris.settings"])
    for interpreter_id in world.interpreters:  # their pages kept beating since the stream ended
        heartbeat(interpreter_id, now, policy)
    for caller in world.callers[number:] + world.callers[:number]:
        answer = request_now(caller.wanted, caller.officer, now, policy, keys)
        if answer.answer is Answer.RINGING and answer.call_id is not None:
            statement = (
                select(OnDemandRing).where(OnDemandRing.call_id == answer.call_id).order_by(OnDemandRing.id).limit(1)
            )
            booking_id = db.session.get_one(OnDemandCall, answer.call_id).booking_id
            return caller.officer, answer.call_id, booking_id, db.session.scalars(statement).one()
    return None


def _ticket(booking_id: int, actor: Actor, now: datetime, secret: str) -> str:
    """The join ticket, as the call page issues it."""
    return issue_join_ticket(booking_id, actor, db.session.get_one(User, actor.user_id), now, secret)[1]


async def _live_page(service: SignalingUnderTest, ticket: PresenceTicket, secret: str) -> ProtocolClient:
    page = await service.connect(url=service.presence_url)
    await page.send("hello", ticket=sign_presence_ticket(ticket, secret))
    await page.expect("welcome")
    return page


class _Call:
    """One answered call's two sides, each acting on its own once it knows where the call is."""

    def __init__(self, app: Flask, service: SignalingUnderTest, booking_id: int, now: datetime) -> None:
        self.app, self.service, self.booking_id, self.now = app, service, booking_id, now
        self.secret = app.extensions["rris.settings"].secret_key
        self.peers: list[AiortcParticipant] = []

    async def join(self, actor: Actor, hz: float, told: Awaitable[object]) -> AiortcParticipant:
        """Once `told` (the page knows the call page), issue the ticket, open the socket, join."""
        await told
        token = await asyncio.to_thread(_in_context, self.app, _ticket, self.booking_id, actor, self.now, self.secret)
        peer = AiortcParticipant(await self.service.connect(), hz)
        self.peers.append(peer)
        await peer.join(token)
        return peer


async def _officer_told(page: ProtocolClient, marks: dict[str, float]) -> None:
    """Until the officer's live page has the call's address."""
    while not (await page.expect("status", timeout=CONNECT_TIMEOUT_SECONDS)).get("call_url"):
        pass
    marks["officer_told"] = perf_counter()


async def _accepted_on_page(page: ProtocolClient, ring_id: int) -> None:
    await page.send("accept", ring_id=ring_id)
    answer = await page.expect("accepted", timeout=CONNECT_TIMEOUT_SECONDS)
    assert answer["ring_id"] == ring_id


async def _accept_and_connect(  # noqa: PLR0913 (the run's parts)
    app: Flask,
    service: SignalingUnderTest,
    world: World,
    rung: tuple[Actor, int, int, OnDemandRing],
    now: datetime,
    way: str,
) -> tuple[float, float, BenchRoom]:
    """(ms from her accepting until both peers are connected, ms until the officer's page was told);
    then the call ends."""
    settings = app.extensions["rris.settings"]
    policy = OnDemandPolicy.from_settings(settings)
    officer, call_id, booking_id, ring = rung
    interpreter = world.interpreters[ring.interpreter_id]
    room = BenchRoom("", 0, officer.user_id, interpreter.user_id)
    hers = await _live_page(
        service, PresenceTicket.for_interpreter(ring.interpreter_id, PAGE_LOCALE, now), settings.secret_key
    )
    officers = await _live_page(
        service, PresenceTicket.for_officer(officer.user_id, call_id, PAGE_LOCALE, now), settings.secret_key
    )
    await hers.expect("ring", timeout=CONNECT_TIMEOUT_SECONDS)  # her page rings: she can accept
    call = _Call(app, service, booking_id, now)
    marks: dict[str, float] = {}
    try:
        started = perf_counter()
        if way == "page":
            accepted: Awaitable[object] = _accepted_on_page(hers, ring.id)
        else:
            accepted = asyncio.to_thread(_in_context, app, accept_ring, ring.id, interpreter, now, policy)
        officer_peer, interpreter_peer = await asyncio.gather(
            call.join(officer, OFFICER_HZ, _officer_told(officers, marks)),
            call.join(interpreter, INTERPRETER_HZ, accepted),
        )
        await officer_peer.wait_connected(room.interpreter, CONNECT_TIMEOUT_SECONDS)
        await interpreter_peer.wait_connected(room.officer, CONNECT_TIMEOUT_SECONDS)
        elapsed_ms = (perf_counter() - started) * 1000
    finally:
        for peer in reversed(call.peers):
            await peer.leave()
        await hers.close()
        await officers.close()
    with app.app_context():
        mark_connected(call_id, now)
        hang_up(call_id, interpreter, now + timedelta(minutes=1), policy)
        db.session.remove()
    return elapsed_ms, (marks["officer_told"] - started) * 1000, room


async def _measure(app: Flask, world: World, runs: int, start: datetime) -> dict[str, list[float]]:
    """Milliseconds of each way (accept to connected, the officer told) and the direct floor, the
    warm-ups dropped; the ways alternate."""
    clock = FrozenClock(start)
    samples: dict[str, list[float]] = {}
    async with running_signaling(app, clock, Timings()) as service:
        for number in range(runs + WARMUPS):
            for way in WAYS:
                clock.advance(BETWEEN_CALLS)
                with app.app_context():
                    rung = _ring(app, world, 2 * number + WAYS.index(way), clock.now())
                    db.session.remove()
                if rung is None:
                    raise RuntimeError("no request rang at once: nobody available could take any")
                elapsed_ms, told_ms, room = await _accept_and_connect(app, service, world, rung, clock.now(), way)
                await service.service.recorder.drain()
                if number >= WARMUPS:
                    samples.setdefault(way, []).append(elapsed_ms)
                    samples.setdefault(f"{way}_told", []).append(told_ms)
            floor_ms = await direct(room)
            if number >= WARMUPS:
                samples.setdefault("direct", []).append(floor_ms)
    return samples


def run_ondemand_connect(app: Flask, world: World, report: Reporter, runs: int, start: datetime) -> None:
    """Accept to both connected `runs` times each way; p50/p95 of each, the floor's and their ratio
    (aim ≤ 1.3). The unprefixed lines are the page's way; `form_` the form post's."""
    with loopback_ice():
        samples = asyncio.run(_measure(app, world, runs, start))
    size = {"runs": len(samples["direct"]), "warmups": WARMUPS, "peers": 2}
    lines = (
        ("accept_to_connected", "page"),
        ("officer_told", "page_told"),
        ("form_accept_to_connected", "form"),
        ("form_officer_told", "form_told"),
        ("direct", "direct"),
    )
    for metric, key in lines:
        for percent in (50, 95):
            report.emit("ondemand_connect", f"{metric}_p{percent}", percentile(samples[key], percent), "ms", **size)
    for prefix, key in (("", "page"), ("form_", "form")):
        for percent in (50, 95):
            ratio = percentile(samples[key], percent) / (percentile(samples["direct"], percent) or 1.0)
            report.emit("ondemand_connect", f"{prefix}ratio_p{percent}", ratio, "x", **size, aim=1.3)
