"""kill -9 or SIGTERM of the signalling node that hosts a call: two real node processes on one
Redis, two aiortc peers, one on each node. Killed, the host dies without a word; stopped, it
drains. Either way, within 5 s both pages are back in the call with the tickets they had, their
media never stopped (peer to peer), and the call records show one continuous call."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession
from flask import Flask

from deploy.local.redis import LocalRedis
from rris.app import create_app
from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallSummary
from rris.enums import CallRole
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from signaling.nodes import NodeTimings
from signaling.protocol import Close
from tests.conftest import DEFAULT_NOW, TEST_APPLICANT_KEY_SECRET, TEST_SECOND_FACTOR_KEY, TEST_SECRET_KEY
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.call_bookings import attendances, open_call, token
from tests.support.call_peers import AiortcParticipant, ProtocolClient
from tests.support.ports import free_port, http_status, poll_until
from tests.support.scheduler import ROOT, migrate_database, scheduler_env
from tests.support.story_clock import CLOCK_FILE_VARIABLE, FileClock

pytestmark = pytest.mark.usefixtures("loopback_ice")

ORIGIN = "https://rris.test"
BACK_WITHIN_SECONDS = 5.0


class Node:
    """One signalling node as a process (the service `python -m signaling` runs, on the test's clock)."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.log = workdir / f"{name}.log"
        node_env = {**env, "RRIS_SIGNALING_NODE_ID": name, "RRIS_SIGNALING_PORT": str(self.port)}
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.story_services", "signaling"],
                cwd=ROOT, env=node_env, stdout=output, stderr=output,
            )  # fmt: skip
        self.url = f"ws://127.0.0.1:{self.port}/calls/ws"

    def wait_ready(self) -> None:
        ready = poll_until(
            lambda: http_status(f"http://127.0.0.1:{self.port}/healthz") == 200 or self.process.poll() is not None,
            timeout=60,
        )
        assert ready and self.process.poll() is None, self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class World:
    """Two node processes on one Redis and one database, and a call open for Jelena and Mariam."""

    core: Flask
    clock: FileClock
    booking_id: int
    tickets: tuple[str, str]
    nodes: list[Node]


@contextlib.contextmanager
def two_node_processes(tmp_path: Path) -> Iterator[World]:
    with LocalRedis(tmp_path / "redis") as redis:
        clock_file = tmp_path / "clock"
        env = scheduler_env(
            tmp_path,
            RRIS_SECRET_KEY=TEST_SECRET_KEY,
            RRIS_SECOND_FACTOR_KEY=TEST_SECOND_FACTOR_KEY,
            RRIS_APPLICANT_KEY_SECRET=TEST_APPLICANT_KEY_SECRET,
            RRIS_PUBLIC_URL=ORIGIN,
            RRIS_HOST="127.0.0.1",
            RRIS_SIGNALING_REDIS_URL=redis.url,
            RRIS_LOG_LEVEL="INFO",
            **{CLOCK_FILE_VARIABLE: str(clock_file)},
        )
        migrate_database(env["RRIS_DATABASE_URL"], tmp_path)
        clock = FileClock(clock_file)
        clock.set(DEFAULT_NOW)
        core = create_app(Settings.from_env(env), clock)
        with core.test_request_context():
            sync_languages()
            booking, jelena, mariam = open_call(clock)
            db.session.commit()
            tickets = token(booking, jelena, clock), token(booking, mariam, clock)
            booking_id = booking.id
        nodes = [Node("node-a", env, tmp_path), Node("node-b", env, tmp_path)]
        try:
            for node in nodes:
                node.wait_ready()
            yield World(core, clock, booking_id, tickets, nodes)
        finally:
            for node in nodes:
                node.stop()


@pytest.mark.parametrize(
    ("ending", "old_stays_end"),
    [(signal.SIGKILL, {"service_restart"}), (signal.SIGTERM, {"service_stopped", "service_restart"})],
    ids=["kill-9", "drained"],
)
def test_when_the_hosting_node_goes_both_participants_resume_within_5_s_in_one_continuous_call(
    tmp_path, ending, old_stays_end
):
    """kill -9: nobody says goodbye; SIGTERM: the node drains (its pages are told to reconnect)."""
    with two_node_processes(tmp_path) as world:
        back_after = asyncio.run(call_through_an_end(world.nodes, world.tickets, world.clock, ending))
        assert back_after < BACK_WITHIN_SECONDS, world.nodes[1].log.read_text()[-3000:]

    with world.core.app_context():
        present = attendances(db.session.get_one(Booking, world.booking_id))
        for role in (CallRole.OFFICER, CallRole.INTERPRETER):
            old, new = sorted((a for a in present if a.role == role), key=lambda a: a.joined_at)
            assert (old.left_reason in old_stays_end, new.left_reason) == (True, "left"), old.left_reason
            # no gap through the move
            assert timedelta(0) <= new.joined_at - old.left_at < timedelta(seconds=BACK_WITHIN_SECONDS)
        # 20 minutes on the test's clock, and the few seconds the test really took
        assert 20 * 60 <= db.session.get_one(CallSummary, world.booking_id).delivered_seconds < 20 * 60 + 60
        db.session.remove()
        db.engine.dispose()


def test_a_page_on_a_node_that_stalled_past_its_heartbeat_is_sent_back_into_the_call(tmp_path):
    """Node B, which only bridges the interpreter's page to node A, stops answering for longer than
    a node's heartbeat lasts (SIGSTOP, as a stalled machine would) and then goes on: node A has
    counted it dead and ended her link, so her page is told to reconnect, and she is back in the call."""
    with two_node_processes(tmp_path) as world:
        a, b = world.nodes

        async def stall_the_edge() -> None:
            async with ClientSession() as session, asyncio.timeout(60):
                officer = AiortcParticipant(await client(session, a), 440.0)
                await officer.join(world.tickets[0])
                interpreter = AiortcParticipant(await client(session, b), 880.0)
                await interpreter.join(world.tickets[1])
                await interpreter.wait_heard(officer.me, frames=25)
                os.kill(b.process.pid, signal.SIGSTOP)
                await asyncio.sleep(NodeTimings().node_ttl_seconds + 1.0)
                os.kill(b.process.pid, signal.SIGCONT)
                assert await interpreter.client.close_code(timeout=BACK_WITHIN_SECONDS) == Close.SERVICE_RESTART
                assert json.loads(interpreter.client.frames[-1]) == {"type": "reconnect"}
                welcome = await interpreter.resume(await client(session, b), world.tickets[1])
                assert [peer["id"] for peer in welcome["peers"]] == [officer.me]
                await interpreter.leave()
                await officer.leave()

        asyncio.run(stall_the_edge())


async def client(session: ClientSession, node: Node) -> ProtocolClient:
    """A page's WebSocket to `node`."""
    return ProtocolClient(await session.ws_connect(node.url, origin=ORIGIN, autoping=True))


async def call_through_an_end(
    nodes: list[Node], tickets: tuple[str, str], clock: FileClock, ending: signal.Signals
) -> float:
    """Officer on node A (which hosts the call), interpreter on node B; node A gets `ending`; both
    resume on node B with their tickets. Returns the seconds from the signal until both are back."""
    a, b = nodes
    async with ClientSession() as session, asyncio.timeout(60):
        officer = AiortcParticipant(await client(session, a), 440.0)
        await officer.join(tickets[0])
        interpreter = AiortcParticipant(await client(session, b), 880.0)
        await interpreter.join(tickets[1])
        await officer.wait_heard(interpreter.me, frames=25)
        await interpreter.wait_heard(officer.me, frames=25)
        clock.advance(timedelta(minutes=10))
        await asyncio.sleep(0.5)  # let the joins reach the records before the host dies

        killed_at = time.monotonic()
        os.kill(a.process.pid, ending)

        async def come_back(person: AiortcParticipant, ticket: str) -> None:
            await person.client.close_code(timeout=BACK_WITHIN_SECONDS)  # dropped, or told to reconnect
            await person.resume(await client(session, b), ticket)

        await asyncio.gather(come_back(officer, tickets[0]), come_back(interpreter, tickets[1]))
        back_after = time.monotonic() - killed_at
        before = officer.heard[interpreter.me].frames, interpreter.heard[officer.me].frames
        await officer.wait_heard(interpreter.me, frames=before[0] + 25)
        await interpreter.wait_heard(officer.me, frames=before[1] + 25)
        clock.advance(timedelta(minutes=10))
        await interpreter.leave()
        await officer.leave()
        await asyncio.sleep(1.0)  # node B writes the leaves (its records batch for a quarter second)
        return back_after
