"""Join to connected: two aiortc peers through the signalling service, and the same peers without it.

Through the service: the signalling app on a free port of 127.0.0.1 in this process (production
timings, the real clock), its records written to the pool's SQLite database by its worker
thread. The officer's WebSocket and the interpreter's are open before the clock starts; it runs
from the officer's join frame until both RTCPeerConnections report "connected".

Directly: the same `AiortcParticipant`s over an in-memory hub that hands each frame to the
other peer at once (no WebSocket, no ticket check, no records). The join returns at once, so
the clock runs from just before createOffer until both are connected. The ratio of the two
is what the service adds to a call's start.

Each run is a fresh room on its own booking; both ways warm up once before measuring, and the
two alternate. The last call's records are written before the next start, so each start meets
an idle service; the start's own records (two joins, the peers' state changes) are written
during it, by the service's worker thread, which here shares the interpreter lock with the peers.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from flask import Flask

from benchmarks.call_rooms import BenchRoom, loopback_ice
from benchmarks.report import Reporter, percentile
from rris.timeutil import SystemClock
from signaling.calls import Timings
from tests.support.call_peers import AiortcParticipant, SignalingUnderTest, running_signaling

OFFICER_HZ, INTERPRETER_HZ = 440.0, 880.0
CONNECT_TIMEOUT_SECONDS = 10.0
WARMUPS = 1


@dataclass
class _DirectSocket:
    closed: bool = False


@dataclass
class DirectClient:
    """Stands in for `ProtocolClient` inside one process: frames go straight to the other peer's inbox."""

    hub: DirectHub
    participant: str
    inbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket: _DirectSocket = field(default_factory=_DirectSocket)

    async def join(self, _token: str) -> dict[str, Any]:
        """Enter the hub; the welcome lists whoever is already there, who hear of the newcomer."""
        peer = {"id": self.participant}
        welcome = {"type": "welcome", "you": peer, "peers": [{"id": other} for other in self.hub.clients]}
        for other in self.hub.clients.values():
            other.inbox.put_nowait({"type": "peer-joined", "peer": peer})
        self.hub.clients[self.participant] = self
        return welcome

    async def send(self, kind: str, **fields: Any) -> None:
        """Relay offers, answers and candidates to their addressee (as a JSON round trip, like the wire)."""
        target = self.hub.clients.get(fields.pop("to", ""))
        if target is not None:
            target.inbox.put_nowait(json.loads(json.dumps({"type": kind, "from": self.participant, **fields})))

    async def close(self) -> None:
        self.socket.closed = True
        self.hub.clients.pop(self.participant, None)


@dataclass
class DirectHub:
    """The in-memory meeting point of the direct exchange."""

    clients: dict[str, DirectClient] = field(default_factory=dict)


async def _start(
    officer: AiortcParticipant, interpreter: AiortcParticipant, room: BenchRoom, tickets: tuple[str, str]
) -> float:
    """Milliseconds from the officer's join until both peers are connected; then both hang up."""
    try:
        started = perf_counter()
        await officer.join(tickets[0])
        await interpreter.join(tickets[1])
        await officer.wait_connected(room.interpreter, CONNECT_TIMEOUT_SECONDS)
        await interpreter.wait_connected(room.officer, CONNECT_TIMEOUT_SECONDS)
        return (perf_counter() - started) * 1000
    finally:
        await interpreter.leave()
        await officer.leave()


async def through_service(service: SignalingUnderTest, room: BenchRoom, secret: str) -> float:
    """One call started through the service, its WebSockets open before the clock starts."""
    tickets = room.tickets(secret, SystemClock().now())
    officer = AiortcParticipant(await service.connect(), OFFICER_HZ)
    interpreter = AiortcParticipant(await service.connect(), INTERPRETER_HZ)
    return await _start(officer, interpreter, room, tickets)


async def direct(room: BenchRoom) -> float:
    """The same call with the frames handed over in memory (DirectClient stands in for ProtocolClient)."""
    hub = DirectHub()
    officer = AiortcParticipant(DirectClient(hub, room.officer), OFFICER_HZ)  # type: ignore[arg-type]
    interpreter = AiortcParticipant(DirectClient(hub, room.interpreter), INTERPRETER_HZ)  # type: ignore[arg-type]
    return await _start(officer, interpreter, room, ("", ""))


async def _measure(core: Flask, rooms: list[BenchRoom]) -> tuple[list[float], list[float]]:
    """(through the service, direct) in milliseconds, the warm-ups dropped; the two kinds alternate."""
    secret = core.extensions["rris.settings"].secret_key
    serviced, direct_ms = [], []
    async with running_signaling(core, SystemClock(), Timings()) as service:
        for room in rooms:
            serviced.append(await through_service(service, room, secret))
            # The leaves' records are written before the next start: each start meets an idle service.
            await service.service.recorder.drain()
            direct_ms.append(await direct(room))
    return serviced[WARMUPS:], direct_ms[WARMUPS:]


def run_call_join(core: Flask, report: Reporter, rooms: list[BenchRoom]) -> None:
    """Start `len(rooms)` calls each way (the first a warm-up); report p50/p95 and the ratios of the two."""
    with loopback_ice():
        serviced, direct_ms = asyncio.run(_measure(core, rooms))
    size = {"data": {"runs": len(serviced), "warmups": WARMUPS, "peers": 2}, "database": "sqlite", "records": "written"}
    for way, samples in (("service", serviced), ("direct", direct_ms)):
        for percent in (50, 95):
            report.emit("call_join", f"{way}_p{percent}", percentile(samples, percent), "ms", **size)
        report.emit("call_join", f"{way}_max", max(samples, default=0.0), "ms", **size)
    for percent in (50, 95):
        ratio = percentile(serviced, percent) / (percentile(direct_ms, percent) or 1.0)
        report.emit("call_join", f"ratio_p{percent}", ratio, "x", **size, aim=1.3)
