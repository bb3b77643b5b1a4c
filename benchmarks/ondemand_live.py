"""An interpreter now (issue 17): request to first ring as the interpreter's page receives it.

After the stream and the connections (`benchmarks/ondemand.py`), on the same database: every
available interpreter opens her live page (`/ondemand/ws` of the signalling service, in this
process on 127.0.0.1, production timings, a presence ticket signed as the portal signs it) and
beats. Then officers ask, one at a time, as the portal would in a process of its own (a thread with
its own database connection, so the service's pushes go on meanwhile). The clock runs from the
request until the first "ring" frame for it reaches one of the pages; the request is then given up
(its rings stop) before the next. Requests that do not ring at once are given up untimed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any

from aiohttp import ClientSession, TCPConnector
from flask import Flask

from benchmarks.report import Reporter, percentile
from rris.bookings.services.applicant_keys import key_ring
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence_tickets import PresenceTicket, sign_presence_ticket
from rris.ondemand.domain.states import Answer
from rris.ondemand.services.requests import NowAnswer, abandon, request_now
from rris.timeutil import FrozenClock
from signaling.calls import Timings
from tests.support.call_peers import ProtocolClient, SignalingUnderTest, running_signaling

if TYPE_CHECKING:
    from benchmarks.ondemand import Caller, World

RING_TIMEOUT_SECONDS = 5.0
BETWEEN_REQUESTS = timedelta(seconds=1)
PAGE_LOCALE = "ps"


def _in_context(app: Flask, function: Any, *args: Any) -> Any:
    """Run a core use case in a fresh app context of this thread (the portal's own connection)."""
    with app.app_context():
        return function(*args)


def _ask(app: Flask, caller: Caller, now: datetime) -> NowAnswer:
    settings = app.extensions["rris.settings"]
    return request_now(caller.wanted, caller.officer, now, OnDemandPolicy.from_settings(settings), key_ring(settings))


def _give_up(app: Flask, caller: Caller, call_id: int, now: datetime) -> None:
    abandon(call_id, caller.officer, now, OnDemandPolicy.from_settings(app.extensions["rris.settings"]))


async def _open_page(
    session: ClientSession, service: SignalingUnderTest, interpreter_id: int, clock: FrozenClock, secret: str
) -> ProtocolClient:
    socket = await session.ws_connect(service.presence_url, origin=service.origin, autoping=True)
    page = ProtocolClient(socket)
    ticket = PresenceTicket.for_interpreter(interpreter_id, PAGE_LOCALE, clock.now())
    await page.send("hello", ticket=sign_presence_ticket(ticket, secret))
    await page.expect("welcome")
    return page


async def _listen(page: ProtocolClient, arrivals: dict[int, float]) -> None:
    """Note when the first ring of each request reaches this page."""
    while True:
        frame = await page.inbox.get()
        if frame.get("type") == "ring":
            arrivals.setdefault(int(frame["call_id"]), perf_counter())


async def _measure(app: Flask, world: World, runs: int, start: datetime) -> tuple[list[float], int]:
    """(milliseconds from request to its first ring on a page, how many pages were open)."""
    clock = FrozenClock(start)
    secret = app.extensions["rris.settings"].secret_key
    samples: list[float] = []
    arrivals: dict[int, float] = {}
    # One browser per page: no client-side cap on connections (aiohttp's default session holds 100).
    async with (
        running_signaling(app, clock, Timings()) as service,
        ClientSession(connector=TCPConnector(limit=0)) as session,
    ):
        pages = [await _open_page(session, service, i, clock, secret) for i in world.interpreters]
        listeners = [asyncio.ensure_future(_listen(page, arrivals)) for page in pages]
        try:
            number = 0
            while len(samples) < runs and number < len(world.callers):
                caller = world.callers[number]
                number += 1
                clock.advance(BETWEEN_REQUESTS)
                for page in pages:
                    await page.send("beat")
                await asyncio.sleep(2 * app.extensions["rris.settings"].ondemand_push_ms / 1000)  # beats written
                started = perf_counter()
                answer = await asyncio.to_thread(_in_context, app, _ask, app, caller, clock.now())
                if answer.call_id is None:
                    continue
                if answer.answer is Answer.RINGING:
                    async with asyncio.timeout(RING_TIMEOUT_SECONDS):
                        while answer.call_id not in arrivals:
                            await asyncio.sleep(0.001)
                    samples.append((arrivals[answer.call_id] - started) * 1000)
                await asyncio.to_thread(_in_context, app, _give_up, app, caller, answer.call_id, clock.now())
        finally:
            for listener in listeners:
                listener.cancel()
            for page in pages:
                await page.close()
            await service.service.recorder.drain()
    return samples, len(pages)


def run_ondemand_live(app: Flask, world: World, report: Reporter, runs: int, start: datetime) -> None:
    """Time `runs` requests to their first ring on an interpreter's open page; p50/p95 (aim p50 < 300 ms)."""
    samples, pages = asyncio.run(_measure(app, world, runs, start))
    push_ms = app.extensions["rris.settings"].ondemand_push_ms
    extra = {"pages": pages, "push_ms": push_ms}
    for percent in (50, 95):
        report.emit("ondemand_ring_page", f"p{percent}", percentile(samples, percent), "ms", **extra, aim=300)
    report.emit("ondemand_ring_page", "samples", len(samples), "count", **extra)
