"""Signalling capacity: many idle rooms in one `python -m signaling` process, and relay latency among them.

The service runs as a subprocess, as in production (real clock, records to the pool's SQLite
database, its log in a file of the temporary folder), so its memory is its own: VmRSS and CPU
time are read from /proc/<pid>. This process opens two WebSocket clients per room, each joining
with a ticket for a real booking, so every join is written to the records.

- memory: RSS once a warm-up room has joined and left (imports, database pool and caches are
  then paid for), again when every client is welcomed and the records are written, and again
  after a few idle seconds; per connection = (idle - base) / clients.
- relay: each room's officer sends one ICE candidate a second to its interpreter, the rooms'
  sends spread evenly over each second; the candidate's text is the sender's perf_counter_ns,
  and the receiver (in this process too) takes its own perf_counter_ns minus it. Both stay well
  inside the per-connection flood limits (5 candidates and 20 messages a second).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter, perf_counter_ns
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, TCPConnector, WSMsgType
from flask import Flask

from benchmarks.call_rooms import BenchRoom, attendance_counts
from benchmarks.environment import dispose
from benchmarks.report import Reporter, percentile
from rris.settings import Settings
from rris.timeutil import SystemClock
from signaling.calls import origin_of
from tests.support.ports import free_port, http_status, poll_until

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
WELCOME_TIMEOUT_SECONDS = 60.0
CONNECTING_AT_ONCE = 64  # below the listen backlog (128): no SYN is dropped and retried a second later
RELAY_DRAIN_SECONDS = 5.0  # how long to wait for the last candidates after the sends
SPARE_FILES = 200  # file descriptors besides the sockets: the interpreter, the database, the log
NS_PER_MS = 1_000_000
KIB = 1024


@dataclass(frozen=True)
class CapacityPlan:
    """How many rooms of two, how long they sit idle before the memory is read, how long the relay runs."""

    rooms: int
    idle_seconds: float
    relay_seconds: int

    @property
    def clients(self) -> int:
        return 2 * self.rooms


@dataclass
class SignalingProcess:
    """The signalling subprocess: its pid, where it listens, and its log."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def rss_kib(self) -> int:
        """Resident memory, from /proc/<pid>/status."""
        return process_rss_kib(self.process.pid)

    def cpu_seconds(self) -> float:
        """User plus system CPU time so far, from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_lines(self, level: str) -> int:
        return sum(f" {level} " in line for line in self.log.read_text(errors="replace").splitlines())


def process_rss_kib(pid: int) -> int:
    """A process's resident memory in KiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


@contextmanager
def signaling_process(  # noqa: PLR0913 (each is an option of the service)
    settings: Settings,
    folder: Path,
    *,
    module: str = "signaling",
    log_level: str = "WARNING",
    node: str = "",
    redis_url: str = "",
) -> Iterator[SignalingProcess]:
    """`python -m <module>` (the signalling service, or a wrapper of it) on a free port of 127.0.0.1
    with `settings`' database and secret, until closed; with `redis_url`, it is the node `node` of
    several sharing their rooms through that Redis."""
    port = free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("RRIS_")}
    environment.update(
        RRIS_ENV="test",
        RRIS_INSTANCE_PATH=str(settings.instance_path),
        RRIS_DATABASE_URL=settings.database_url,
        RRIS_SECRET_KEY=settings.secret_key,
        RRIS_HOST="127.0.0.1",
        RRIS_SIGNALING_PORT=str(port),
        RRIS_PUBLIC_URL=settings.public_url,
        RRIS_LOG_LEVEL=log_level,
    )
    if redis_url:
        environment.update(RRIS_SIGNALING_REDIS_URL=redis_url, RRIS_SIGNALING_NODE_ID=node)
    log = folder / (f"{module}-{node}.log" if node else f"{module}.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", module], cwd=PROJECT_ROOT, env=environment, stdout=output, stderr=output
        )
    server = SignalingProcess(process, port, log)
    try:
        healthy = poll_until(
            lambda: process.poll() is not None or http_status(f"http://127.0.0.1:{port}/healthz") == 200,
            STARTUP_TIMEOUT_SECONDS,
        )
        if not healthy or process.poll() is not None:
            raise RuntimeError(f"python -m {module} did not start: {log.read_text(errors='replace')[-2000:]}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def allow_open_files(count: int) -> None:
    """Raise this process's soft limit on open files to `count` if the hard limit allows (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@dataclass
class _Client:
    """One participant's WebSocket; its reader answers pings and times the candidates that arrive."""

    socket: ClientWebSocketResponse
    participant: str
    relayed_ms: list[float]
    errors: list[dict[str, Any]]
    welcomed: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for frame in self.socket:  # iterating also answers the service's pings
            if frame.type is not WSMsgType.TEXT:
                continue
            arrived = perf_counter_ns()
            message = json.loads(frame.data)
            if message["type"] == "candidate":
                self.relayed_ms.append((arrived - int(message["candidate"]["candidate"])) / NS_PER_MS)
            elif message["type"] == "welcome":
                self.welcomed.set()
            elif message["type"] == "error":
                self.errors.append(message)

    async def send(self, kind: str, **fields: Any) -> None:
        await self.socket.send_str(json.dumps({"type": kind, **fields}))


@dataclass
class CapacityResults:
    """What the client side saw."""

    rss_kib: dict[str, int] = field(default_factory=dict)
    welcome_ms: list[float] = field(default_factory=list)
    joined_seconds: float = 0.0
    join_cpu_seconds: float = 0.0  # the server's, while the clients join and until the memory is read idle
    relayed_ms: list[float] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    sent: int = 0
    sending_seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    rooms_held: int = 0  # rooms whose two participants were still connected once the relay ended
    join_failures: list[str] = field(default_factory=list)  # joins not welcomed in time, or refused


class _Clients:
    """The client side: opens rooms of two against the service (one node or several) and keeps their sockets."""

    def __init__(
        self, session: ClientSession, urls: Sequence[str], origin: str, secret: str, results: CapacityResults
    ) -> None:
        self.session = session
        self.urls = urls
        self.origin = origin
        self.secret = secret
        self.results = results
        self.pairs: list[tuple[_Client, _Client]] = []
        self._gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

    async def open_room(self, room: BenchRoom, place: int = 0) -> tuple[_Client, _Client]:
        """The officer joins first, through node `place` (so that node hosts the room), then the
        interpreter through the next node: bridged to the host when there are several."""
        tickets = room.tickets(self.secret, SystemClock().now())
        officer = await self._join(room.officer, tickets[0], self.urls[place % len(self.urls)])
        interpreter = await self._join(room.interpreter, tickets[1], self.urls[(place + 1) % len(self.urls)])
        self.pairs.append((officer, interpreter))
        return officer, interpreter

    async def _join(self, participant: str, ticket: str, url: str) -> _Client:
        async with self._gate:
            socket = await self.session.ws_connect(url, origin=self.origin, autoping=True)
            client = _Client(socket, participant, self.results.relayed_ms, self.results.errors)
            client.start()
            started = perf_counter()
            await client.send("join", ticket=ticket)
            async with asyncio.timeout(WELCOME_TIMEOUT_SECONDS):
                await client.welcomed.wait()
            self.results.welcome_ms.append((perf_counter() - started) * 1000)
            return client

    async def close(self, pairs: list[tuple[_Client, _Client]]) -> None:
        clients = [client for pair in pairs for client in pair]
        await asyncio.gather(*(client.socket.close() for client in clients))
        for client in clients:
            if client.reader is not None:
                await asyncio.gather(client.reader, return_exceptions=True)


async def _relay(pairs: list[tuple[_Client, _Client]], seconds: int, results: CapacityResults) -> None:
    """Each pair's first sends a candidate a second to its second, the rooms spread over the second."""
    start = perf_counter() + 0.05
    rooms = len(pairs)
    for second in range(seconds):
        for index, (officer, interpreter) in enumerate(pairs):
            pause = start + second + index / rooms - perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            candidate = {"candidate": str(perf_counter_ns())}
            await officer.send("candidate", to=interpreter.participant, candidate=candidate)
            results.sent += 1
    results.sending_seconds = perf_counter() - start
    deadline = perf_counter() + RELAY_DRAIN_SECONDS
    while len(results.relayed_ms) < results.sent and perf_counter() < deadline:
        await asyncio.sleep(0.01)


async def drive_rooms(  # noqa: PLR0913 (the run's parts)
    servers: Sequence[SignalingProcess],
    settings: Settings,
    rooms: list[BenchRoom],
    plan: CapacityPlan,
    *,
    both_ways: bool = False,
    while_held: Callable[[], Awaitable[None]] | None = None,
) -> CapacityResults:
    """Open the rooms across `servers`, the first one per server a warm-up hosted there, and the
    rest hosted by each server in turn; let them idle, then relay candidates: from each officer to its interpreter,
    or with `both_ways`, from the interpreter in every other room. `while_held` runs once all are in.
    Memory and CPU are the servers' together."""
    results = CapacityResults()
    urls = [f"ws://127.0.0.1:{server.port}/calls/ws" for server in servers]

    def rss() -> int:
        return sum(server.rss_kib() for server in servers)

    def cpu() -> float:
        return sum(server.cpu_seconds() for server in servers)

    async with ClientSession(connector=TCPConnector(limit=0)) as session:
        clients = _Clients(session, urls, origin_of(settings.public_url), settings.secret_key, results)
        warmups = [await clients.open_room(room, place) for place, room in enumerate(rooms[: len(servers)])]
        await clients.close(warmups)
        clients.pairs.clear()
        results.welcome_ms.clear()
        await asyncio.sleep(1.0)  # the warm-up's records are written
        results.rss_kib["base"] = rss()

        started, server_cpu = perf_counter(), cpu()
        timed = rooms[len(servers) :]
        opened = await asyncio.gather(
            *(clients.open_room(room, place) for place, room in enumerate(timed)), return_exceptions=True
        )
        # A room that could not be opened is not held: counted, and the run goes on with the rest.
        results.join_failures = [repr(outcome) for outcome in opened if isinstance(outcome, Exception)]
        results.joined_seconds = perf_counter() - started
        results.rss_kib["joined"] = rss()
        await asyncio.sleep(plan.idle_seconds)
        results.rss_kib["idle"] = rss()
        results.join_cpu_seconds = cpu() - server_cpu
        if while_held is not None:
            await while_held()

        server_cpu, client_cpu = cpu(), time.process_time()
        senders = [pair[::-1] if both_ways and n % 2 else pair for n, pair in enumerate(clients.pairs)]
        await _relay(senders, plan.relay_seconds, results)
        results.server_cpu_seconds = cpu() - server_cpu
        results.client_cpu_seconds = time.process_time() - client_cpu
        results.rss_kib["after_relay"] = rss()
        results.rooms_held = sum(not (a.socket.closed or b.socket.closed) for a, b in clients.pairs)
        await clients.close(clients.pairs)
    return results


def run_signaling_capacity(
    core: Flask, folder: Path, report: Reporter, rooms: list[BenchRoom], plan: CapacityPlan
) -> None:
    """Open `plan.rooms` rooms (after a warm-up room, `rooms[0]`) in a signalling subprocess on `core`'s database."""
    if len(rooms) < plan.rooms + 1:
        raise ValueError(f"{plan.rooms} rooms and a warm-up need {plan.rooms + 1} bookings, not {len(rooms)}")
    settings = core.extensions["rris.settings"]
    with core.app_context():
        before = attendance_counts()
    dispose(core)  # the service writes the records; this process keeps no SQLite connection open meanwhile
    allow_open_files(plan.clients + SPARE_FILES)
    with signaling_process(settings, folder) as server:
        results = asyncio.run(drive_rooms([server], settings, rooms[: plan.rooms + 1], plan))
    # After the process has stopped: its shutdown closes the last records and flushes its log.
    warnings = server.log_lines("WARNING") + server.log_lines("ERROR")
    with core.app_context():
        after = attendance_counts()
    written = (after[0] - before[0], after[1] - before[1])
    _report(report, plan, results, warnings, written)


def _report(
    report: Reporter, plan: CapacityPlan, results: CapacityResults, warnings: int, attendances: tuple[int, int]
) -> None:
    size = {"data": {"rooms": plan.rooms, "clients": plan.clients}, "database": "sqlite", "records": "written"}
    bench = "signaling_capacity"
    rss = results.rss_kib
    report.emit(bench, "join_all", results.joined_seconds, "s", **size, connecting_at_once=CONNECTING_AT_ONCE)
    report.emit(bench, "rooms_held", results.rooms_held, "rooms", **size)
    report.emit(bench, "join_failures", len(results.join_failures), "count", **size, first=results.join_failures[:1])
    report.emit(bench, "welcome_p50", percentile(results.welcome_ms, 50), "ms", **size)
    report.emit(bench, "welcome_p99", percentile(results.welcome_ms, 99), "ms", **size)
    for moment in ("base", "joined", "idle", "after_relay"):
        report.emit(bench, f"rss_{moment}", rss[moment] / KIB, "MiB", **size)
    per_connection = (rss["idle"] - rss["base"]) / plan.clients
    idle = {**size, "idle_seconds": plan.idle_seconds}
    report.emit(bench, "memory_per_idle_connection", per_connection, "KiB", **idle, aim=100)
    report.emit(bench, "server_cpu_joining", results.join_cpu_seconds, "s", **idle)
    relay = {**size, "messages": results.sent, "seconds": plan.relay_seconds}
    for percent in (50, 95, 99):
        aim = {"aim": 20} if percent == 99 else {}
        report.emit(bench, f"relay_p{percent}", percentile(results.relayed_ms, percent), "ms", **relay, **aim)
    report.emit(bench, "relay_max", max(results.relayed_ms, default=0.0), "ms", **relay)
    report.emit(bench, "relay_messages", len(results.relayed_ms), "count", **relay)
    report.emit(bench, "relay_lost", results.sent - len(results.relayed_ms), "count", **relay)
    report.emit(bench, "relay_rate", results.sent / (results.sending_seconds or 1.0), "messages/s", **relay)
    report.emit(bench, "server_cpu", results.server_cpu_seconds, "s", **relay)
    report.emit(bench, "client_cpu", results.client_cpu_seconds, "s", **relay)
    report.emit(bench, "errors_received", len(results.errors), "count", **size)
    report.emit(bench, "server_warnings", warnings, "lines", **size)
    report.emit(bench, "records_written", attendances[0], "rows", **size, closed=attendances[1])
