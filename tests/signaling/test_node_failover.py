"""kill -9 or SIGTERM of the signalling node that hosts a call: two real node processes on one
Redis, two aiortc peers, one on each node. Killed, the host dies without a word; stopped, it
drains. Either way, within 5 s both pages are back in the call with the tickets they had, their
media never stopped (peer to peer), and the call records show one continuous call."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession

from deploy.local.redis import LocalRedis
from rris.app import create_app
from rris.calls.models.calls import CallSummary
from rris.enums import CallRole
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
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


@pytest.mark.parametrize(
    ("ending", "old_stays_end"),
    [(signal.SIGKILL, {"service_restart"}), (signal.SIGTERM, {"service_stopped", "service_restart"})],
    ids=["kill-9", "drained"],
)
def test_when_the_hosting_node_goes_both_participants_resume_within_5_s_in_one_continuous_call(
    tmp_path, ending, old_stays_end
):
    """kill -9: nobody says goodbye; SIGTERM: the node drains (its pages are told to reconnect)."""
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
            back_after = asyncio.run(call_through_an_end(nodes, tickets, clock, ending))
        finally:
            for node in nodes:
                node.stop()
        assert back_after < BACK_WITHIN_SECONDS, nodes[1].log.read_text()[-3000:]

    with core.app_context():
        present = [a for a in attendances(booking) if a.booking_id == booking_id]
        for role in (CallRole.OFFICER, CallRole.INTERPRETER):
            old, new = sorted((a for a in present if a.role == role), key=lambda a: a.joined_at)
            assert (old.left_reason in old_stays_end, new.left_reason) == (True, "left"), old.left_reason
            # no gap through the move
            assert timedelta(0) <= new.joined_at - old.left_at < timedelta(seconds=BACK_WITHIN_SECONDS)
        # 20 minutes on the test's clock, and the few seconds the test really took
        assert 20 * 60 <= db.session.get(CallSummary, booking_id).delivered_seconds < 20 * 60 + 60
        db.session.remove()
        db.engine.dispose()


async def call_through_an_end(
    nodes: list[Node], tickets: tuple[str, str], clock: FileClock, ending: signal.Signals
) -> float:
    """Officer on node A (which hosts the call), interpreter on node B; node A gets `ending`; both
    resume on node B with their tickets. Returns the seconds from the signal until both are back."""
    a, b = nodes
    async with ClientSession() as session, asyncio.timeout(60):

        async def client(node: Node) -> ProtocolClient:
            return ProtocolClient(await session.ws_connect(node.url, origin=ORIGIN, autoping=True))

        officer = AiortcParticipant(await client(a), 440.0)
        await officer.join(tickets[0])
        interpreter = AiortcParticipant(await client(b), 880.0)
        await interpreter.join(tickets[1])
        await officer.wait_heard(interpreter.me, frames=25)
        await interpreter.wait_heard(officer.me, frames=25)
        clock.advance(timedelta(minutes=10))
        await asyncio.sleep(0.5)  # let the joins reach the records before the host dies

        killed_at = time.monotonic()
        os.kill(a.process.pid, ending)

        async def come_back(person: AiortcParticipant, ticket: str) -> None:
            await person.client.close_code(timeout=BACK_WITHIN_SECONDS)  # dropped, or told to reconnect
            await person.resume(await client(b), ticket)

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
