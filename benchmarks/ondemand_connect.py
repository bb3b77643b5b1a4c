"""An interpreter now (issue 17): accept to both connected, and the same peers directly as the floor.

After the stream of requests (`benchmarks/ondemand.py`), on the same database: an officer asks for
an interpreter now and her page rings. The clock starts as she accepts (`accept_ring`), and runs
while both pages do what they do next: each gets its join ticket for the session's call
(`issue_join_ticket`, as the call page `/calls/<booking_id>` does), opens its WebSocket to the
signalling service (in this process on 127.0.0.1, production timings, its records written to this
database) and joins as an aiortc peer, until both RTCPeerConnections report "connected".

The floor is `benchmarks/call_join.py`'s: the same two peers with offer and answer handed over
in memory, timed from the offer to both connected. Each way warms up once; the two alternate.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING

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
from rris.ondemand.domain.states import Answer
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import accept_ring, hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat
from rris.ondemand.services.requests import request_now
from rris.timeutil import FrozenClock
from signaling.calls import Timings
from tests.support.call_peers import AiortcParticipant, SignalingUnderTest, running_signaling

if TYPE_CHECKING:
    from benchmarks.ondemand import World

BETWEEN_CALLS = timedelta(minutes=2)


def _ring(app: Flask, world: World, number: int, now: datetime) -> tuple[Actor, int, OnDemandRing] | None:
    """An officer asks (the next caller whose request rings at once); (the officer, call id, its first ring)."""
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
            return caller.officer, answer.call_id, db.session.scalars(statement).one()
    return None


def _tickets(call_id: int, officer: Actor, interpreter: Actor, now: datetime, secret: str) -> tuple[str, str]:
    """The two join tickets, as each one's call page issues them."""
    booking_id = db.session.get_one(OnDemandCall, call_id).booking_id
    tokens = []
    for actor in (officer, interpreter):
        user = db.session.get_one(User, actor.user_id)
        tokens.append(issue_join_ticket(booking_id, actor, user, now, secret)[1])
    return tokens[0], tokens[1]


async def _accept_and_connect(
    app: Flask, service: SignalingUnderTest, world: World, rung: tuple[Actor, int, OnDemandRing], now: datetime
) -> tuple[float, BenchRoom]:
    """Milliseconds from her accepting until both peers are connected; then the call ends."""
    settings = app.extensions["rris.settings"]
    policy = OnDemandPolicy.from_settings(settings)
    officer, call_id, ring = rung
    interpreter = world.interpreters[ring.interpreter_id]
    room = BenchRoom("", 0, officer.user_id, interpreter.user_id)
    started = perf_counter()
    accept_ring(ring.id, interpreter, now, policy)
    tickets = _tickets(call_id, officer, interpreter, now, settings.secret_key)
    db.session.remove()
    officer_peer = AiortcParticipant(await service.connect(), OFFICER_HZ)
    interpreter_peer = AiortcParticipant(await service.connect(), INTERPRETER_HZ)
    try:
        await officer_peer.join(tickets[0])
        await interpreter_peer.join(tickets[1])
        await officer_peer.wait_connected(room.interpreter, CONNECT_TIMEOUT_SECONDS)
        await interpreter_peer.wait_connected(room.officer, CONNECT_TIMEOUT_SECONDS)
        elapsed_ms = (perf_counter() - started) * 1000
    finally:
        await interpreter_peer.leave()
        await officer_peer.leave()
    mark_connected(call_id, now)
    hang_up(call_id, interpreter, now + timedelta(minutes=1), policy)
    db.session.remove()
    return elapsed_ms, room


async def _measure(app: Flask, world: World, runs: int, start: datetime) -> tuple[list[float], list[float]]:
    """(accept to connected, direct) in milliseconds, the warm-ups dropped."""
    clock = FrozenClock(start)
    accepted, floor = [], []
    async with running_signaling(app, clock, Timings()) as service:
        for number in range(runs + WARMUPS):
            clock.advance(BETWEEN_CALLS)
            with app.app_context():
                rung = _ring(app, world, number, clock.now())
                if rung is None:
                    raise RuntimeError("no request rang at once: nobody available could take any")
                elapsed_ms, room = await _accept_and_connect(app, service, world, rung, clock.now())
            accepted.append(elapsed_ms)
            await service.service.recorder.drain()
            floor.append(await direct(room))
    return accepted[WARMUPS:], floor[WARMUPS:]


def run_ondemand_connect(app: Flask, world: World, report: Reporter, runs: int, start: datetime) -> None:
    """Accept to both connected `runs` times each way; p50/p95 of each and their ratio (aim ≤ 1.3)."""
    with loopback_ice():
        accepted, floor = asyncio.run(_measure(app, world, runs, start))
    size = {"runs": len(accepted), "warmups": WARMUPS, "peers": 2}
    for way, samples in (("accept_to_connected", accepted), ("direct", floor)):
        for percent in (50, 95):
            report.emit("ondemand_connect", f"{way}_p{percent}", percentile(samples, percent), "ms", **size)
    for percent in (50, 95):
        ratio = percentile(accepted, percent) / (percentile(floor, percent) or 1.0)
        report.emit("ondemand_connect", f"ratio_p{percent}", ratio, "x", **size, aim=1.3)
