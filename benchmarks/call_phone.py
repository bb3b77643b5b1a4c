"""The phone bridge: one-way delay in each direction, CPU per phone leg, and how many legs one
signalling process carries before the audio to the phones breaks up.

The signalling service runs as `python -m signaling` would, in a subprocess of its own (so its
CPU time is its own), on the pool's SQLite database, its aioice limited to 127.0.0.1 like the
test peers (`python -m benchmarks.call_phone` is that launcher). The other ends are simulated
Twilio Media Streams clients (`tests.support.media_streams.PhoneSide`) and aiortc participants
in the same rooms. Every end stamps with time.monotonic (CLOCK_MONOTONIC: one clock for all
processes of the machine).

- Delay: one room, the interpreter on the phone, the officer's browser (aiortc) and the
  interpreter's own browser tile (aiortc, silent). The phone sends 100 ms bursts of 1 kHz every
  500 ms in silence; the officer sends the same. A burst's delay runs from the moment its first
  frame left the sender (the phone's `media` frame sent; the officer's frame handed to its
  encoder) until its first sample is out of the receiver: the arrival of the frame holding it,
  plus its position in that frame. The officer's receiver holds one frame before decoding, as
  the bridge's does (a browser's adaptive buffer sits near that on a quiet network); the own
  tile keeps aiortc's stock four-frame buffer, reported apart, to show what that buffer costs.
  The calls negotiate G.711 (the bridge asks for it), and the officer's track is 8 kHz.
- Capacity: 1, 2, 4, ... rooms at once, each an officer (aiortc, 880 Hz) and a phone (440 Hz);
  the phones run in a process of their own, so the officers' load does not delay their stamps
  (on a two-core machine the three processes still share the cores). After every call is
  connected, for `step_seconds`: the service's CPU time, and at each phone the arrival of every
  `media` frame against its 20 ms schedule (the best fit of the window). A step passes when at
  most 1 % of the frames arrive more than 20 ms behind; the ramp stops at the first step that
  fails. The service's own count of late sends (its log, over the legs' whole life) is reported
  beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import math
import multiprocessing
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
from aiohttp import ClientSession
from aiortc.mediastreams import AUDIO_PTIME, AudioStreamTrack, MediaStreamError, MediaStreamTrack
from av import AudioFrame
from flask import Flask

from benchmarks.call_capacity import SignalingProcess, signaling_process
from benchmarks.call_rooms import TICKET_LEAD, TICKET_SPAN, BenchRoom, loopback_ice
from benchmarks.environment import dispose
from benchmarks.report import Reporter, percentile
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket
from rris.enums import CallRole
from rris.timeutil import SystemClock
from signaling.calls import origin_of
from signaling.phone_bridge import shorten_jitter_buffer
from tests.support.call_peers import AiortcParticipant, ProtocolClient, ToneTrack
from tests.support.media_streams import PHONE_RATE, PhoneSide, ToneFrames, mulaw_decode

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH = "call_phone"
BURST_HZ = 1000.0
BURST_AMPLITUDE = 8000
BURST_FRAMES = 5  # 100 ms
BURST_EVERY_FRAMES = 25  # 500 ms
FIRST_BURST_FRAME = 75  # 1.5 s in: the connections are up by then
CALL_BURST_OFFSET_FRAMES = 12  # the two directions' bursts alternate
ONSET_THRESHOLD = 2000
QUIET_BEFORE_ONSET_SECONDS = 0.2
MAX_MATCH_SECONDS = 0.4  # an onset later than this after the last burst belongs to none
LATE_SECONDS = 0.020
LATE_LIMIT_PERCENT = 1.0
CONNECT_TIMEOUT_SECONDS = 30.0
SETTLE_SECONDS = 0.5
STOP_TIMEOUT_SECONDS = 15.0
_PACING_LINE = re.compile(r"phone \S+ left call \d+: (\d+) frames to the phone, (\d+) late")


@dataclass(frozen=True)
class PhonePlan:
    """How many bursts each way, how long each capacity step is measured, and its largest step."""

    bursts: int
    step_seconds: float
    max_legs: int

    @property
    def steps(self) -> list[int]:
        """1, 2, 4, ... up to max_legs."""
        return [2**n for n in range(int(math.log2(self.max_legs)) + 1)]

    @property
    def rooms(self) -> int:
        """Bookings needed: one for the delay, then one per leg of the largest step."""
        return self.max_legs + 1


FULL_PHONE = PhonePlan(bursts=40, step_seconds=8.0, max_legs=32)
QUICK_PHONE = PhonePlan(bursts=5, step_seconds=2.0, max_legs=2)


# --- the service -------------------------------------------------------------------------------


def serve_on_loopback() -> int:
    """`python -m signaling`, its peers offering only 127.0.0.1 (benchmark traffic stays on loopback)."""
    import aioice.ice

    from signaling.__main__ import main
    from tests.support.aiortc_loopback import loopback_host_addresses

    aioice.ice.get_host_addresses = loopback_host_addresses
    return main()


def _pacing(service: SignalingProcess) -> tuple[int, int]:
    """(frames sent to phones, of which late) by the service's own count, from its log."""
    text = service.log.read_text(errors="replace")
    counts = [tuple(map(int, m.groups())) for m in _PACING_LINE.finditer(text)]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def _leg_ticket(room: BenchRoom, secret: str) -> str:
    """The interpreter's phone's leg ticket, signed as the core signs one."""
    now = SystemClock().now()
    ticket = CallTicket(
        room=room.name,
        booking_id=room.booking_id,
        participant=Participant.user(room.interpreter_user_id).phone(),
        role=CallRole.INTERPRETER,
        display_name=f"Bench phone {room.interpreter}",
        not_before=now - TICKET_LEAD,
        expires_at=now + TICKET_SPAN,
        nonce=secrets.token_urlsafe(12),
    )
    return sign_ticket(ticket, secret)


# --- signals and their onsets -------------------------------------------------------------------


def _is_burst_frame(index: int, offset: int = 0) -> bool:
    position = index - FIRST_BURST_FRAME - offset
    return position >= 0 and position % BURST_EVERY_FRAMES < BURST_FRAMES


def phone_bursts(index: int) -> numpy.ndarray:
    """The phone's signal: silence with a 100 ms burst of 1 kHz every 500 ms (8 kHz frames)."""
    if not _is_burst_frame(index):
        return numpy.zeros(160, numpy.int16)
    return ToneFrames(BURST_HZ, BURST_AMPLITUDE)(index)


class BurstTrack(MediaStreamTrack):
    """The officer's signal: the same bursts, each frame's hand-over to the encoder timed.

    At 8 kHz, the rate of the G.711 the bridge asks for: given 48 kHz, aiortc's PCMU encoder
    resamples through a 160-sample FIFO that holds back 18 ms (a browser's encoder does not),
    which would be counted against the bridge."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: dict[int, float] = {}
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        samples = int(AUDIO_PTIME * PHONE_RATE)
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._index * AUDIO_PTIME - time.monotonic()))
        pcm = numpy.zeros(samples, numpy.int16)
        if _is_burst_frame(self._index, CALL_BURST_OFFSET_FRAMES):
            t = (numpy.arange(samples) + self._index * samples) / PHONE_RATE
            pcm = (numpy.sin(2 * math.pi * BURST_HZ * t) * BURST_AMPLITUDE).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = PHONE_RATE
        frame.pts = self._index * samples
        frame.time_base = fractions.Fraction(1, PHONE_RATE)
        self.sent_at[self._index] = time.monotonic()
        self._index += 1
        return frame


def burst_starts(sent_at: dict[int, float], offset: int = 0) -> list[float]:
    """When the first frame of each burst was sent."""
    first = FIRST_BURST_FRAME + offset
    return sorted(at for index, at in sent_at.items() if index >= first and (index - first) % BURST_EVERY_FRAMES == 0)


def onsets(frames: list[tuple[float, numpy.ndarray, int]]) -> list[float]:
    """When each burst's first sample was out of the receiver: the arrival of its frame plus its
    position in the frame; a burst starts after at least 200 ms below the threshold."""
    found: list[float] = []
    quiet = 0.0  # seconds
    for arrived, samples, rate in frames:
        loud = numpy.flatnonzero(numpy.abs(samples.astype(numpy.int32)) > ONSET_THRESHOLD)
        if len(loud):
            if quiet + loud[0] / rate >= QUIET_BEFORE_ONSET_SECONDS:
                found.append(arrived + loud[0] / rate)
            quiet = (len(samples) - 1 - loud[-1]) / rate
        else:
            quiet += len(samples) / rate
    return found


def delays_ms(starts: list[float], heard: list[float]) -> list[float]:
    """Each heard onset against the last burst started before it."""
    delays = []
    for onset in heard:
        before = [start for start in starts if start <= onset]
        if before and onset - before[-1] <= MAX_MATCH_SECONDS:
            delays.append((onset - before[-1]) * 1000)
    return delays


# --- participants ------------------------------------------------------------------------------


class TimedParticipant(AiortcParticipant):
    """An aiortc participant that stamps every frame it receives and sends a track of our choice."""

    def __init__(self, client: ProtocolClient, sends: str, short_buffer: bool) -> None:
        super().__init__(client, 880.0)
        self.sends = sends  # "bursts", "tone" or "silence"
        self.short_buffer = short_buffer
        self.bursts: dict[str, BurstTrack] = {}
        self.arrivals: dict[str, list[tuple[float, numpy.ndarray, int]]] = {}

    def outgoing_track(self, peer: str) -> MediaStreamTrack:
        if self.sends == "bursts":
            self.bursts[peer] = BurstTrack()
            return self.bursts[peer]
        return ToneTrack(self.frequency) if self.sends == "tone" else AudioStreamTrack()

    def _connection(self, peer: str) -> Any:
        pc = super()._connection(peer)
        if self.short_buffer:

            @pc.on("track")
            def shorten(track: MediaStreamTrack) -> None:
                for receiver in pc.getReceivers():
                    if receiver.track is track:
                        shorten_jitter_buffer(receiver)

        return pc

    async def _listen(self, peer: str, track: MediaStreamTrack) -> None:
        arrivals = self.arrivals.setdefault(peer, [])
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await track.recv()
                arrived = time.monotonic()
                mono = frame.to_ndarray().reshape(-1)[:: len(frame.layout.channels)]
                arrivals.append((arrived, mono, frame.sample_rate))


@dataclass
class _Delays:
    phone_to_call: list[float] = field(default_factory=list)
    phone_to_stock_aiortc: list[float] = field(default_factory=list)
    call_to_phone: list[float] = field(default_factory=list)


async def _measure_delays(session: ClientSession, port: int, room: BenchRoom, secret: str, plan: PhonePlan) -> _Delays:
    origin = origin_of("http://127.0.0.1")
    calls_url, phone_url = f"ws://127.0.0.1:{port}/calls/ws", f"ws://127.0.0.1:{port}/phone/stream"
    tickets = room.tickets(secret, SystemClock().now())
    phone_id = room.interpreter_phone
    officer = TimedParticipant(ProtocolClient(await session.ws_connect(calls_url, origin=origin)), "bursts", True)
    own_tile = TimedParticipant(ProtocolClient(await session.ws_connect(calls_url, origin=origin)), "silence", False)
    await officer.join(tickets[0])
    await own_tile.join(tickets[1])
    phone = await PhoneSide.open(session, phone_url)
    try:
        await phone.start(_leg_ticket(room, secret))
        phone.play(phone_bursts)
        await officer.wait_connected(phone_id, CONNECT_TIMEOUT_SECONDS)
        await own_tile.wait_connected(phone_id, CONNECT_TIMEOUT_SECONDS)
        last_frame = FIRST_BURST_FRAME + CALL_BURST_OFFSET_FRAMES + plan.bursts * BURST_EVERY_FRAMES
        while len(phone.sent_at) < last_frame:
            await asyncio.sleep(0.1)
        await asyncio.sleep(MAX_MATCH_SECONDS)
    finally:
        await phone.stop()
        await officer.leave()
        await own_tile.leave()
    phone_starts = burst_starts(phone.sent_at)[: plan.bursts]
    officer_starts = burst_starts(officer.bursts[phone_id].sent_at, CALL_BURST_OFFSET_FRAMES)[: plan.bursts]
    at_phone = [(frame.at, mulaw_decode(frame.payload), PHONE_RATE) for frame in phone.received]
    return _Delays(
        phone_to_call=delays_ms(phone_starts, onsets(officer.arrivals.get(phone_id, []))),
        phone_to_stock_aiortc=delays_ms(phone_starts, onsets(own_tile.arrivals.get(phone_id, []))),
        call_to_phone=delays_ms(officer_starts, onsets(at_phone)),
    )


@dataclass
class _Step:
    legs: int
    late_percent: float
    frames: int
    cpu_per_leg_percent: float
    connect_seconds: float
    client_cpu_percent: float
    service_late_percent: float = 0.0  # the service's own count of late sends, over the legs' whole life


def late_frames(arrivals: list[float]) -> int:
    """Frames that arrived more than 20 ms behind a 20 ms schedule fitted to the earliest of them."""
    if not arrivals:
        return 0
    offsets = [at - index * 0.020 for index, at in enumerate(arrivals)]
    origin = min(offsets)
    return sum(offset - origin > LATE_SECONDS for offset in offsets)


def play_phones(url: str, tickets: list[str], ready: Any, stop: Any, results: Any) -> None:
    """In a process of its own (so the aiortc participants' load does not delay the stamps): a
    phone per leg ticket playing 440 Hz until `stop`; puts each phone's frame arrival times."""

    async def main() -> list[list[float]]:
        async with ClientSession() as session:
            phones = [await PhoneSide.open(session, url) for _ in tickets]
            for phone, ticket in zip(phones, tickets, strict=True):
                await phone.start(ticket)
                phone.play(ToneFrames(440.0))
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)
            for phone in phones:
                await phone.stop()
            return [[frame.at for frame in phone.received] for phone in phones]

    results.put(asyncio.run(main()))


async def _measure_step(
    session: ClientSession, service: SignalingProcess, rooms: list[BenchRoom], secret: str, seconds: float
) -> _Step:
    origin = origin_of("http://127.0.0.1")
    calls_url, phone_url = f"ws://127.0.0.1:{service.port}/calls/ws", f"ws://127.0.0.1:{service.port}/phone/stream"
    loop = asyncio.get_running_loop()
    processes = multiprocessing.get_context("spawn")
    ready, stop, results = processes.Event(), processes.Event(), processes.Queue()
    phones = processes.Process(
        target=play_phones, args=(phone_url, [_leg_ticket(room, secret) for room in rooms], ready, stop, results)
    )
    officers: list[TimedParticipant] = []
    try:
        for room in rooms:
            socket = await session.ws_connect(calls_url, origin=origin)
            officer = TimedParticipant(ProtocolClient(socket), "tone", False)
            officers.append(officer)
            await officer.join(room.tickets(secret, SystemClock().now())[0])
        phones.start()
        if not await loop.run_in_executor(None, ready.wait, CONNECT_TIMEOUT_SECONDS):
            raise RuntimeError("the phones' process did not start")
        started = time.monotonic()
        for officer, room in zip(officers, rooms, strict=True):
            await officer.wait_connected(room.interpreter_phone, CONNECT_TIMEOUT_SECONDS)
        connected = time.monotonic() - started
        await asyncio.sleep(SETTLE_SECONDS)
        window_start, cpu, client_cpu = time.monotonic(), service.cpu_seconds(), time.process_time()
        await asyncio.sleep(seconds)
        window_end = time.monotonic()
        server_cpu, client_cpu = service.cpu_seconds() - cpu, time.process_time() - client_cpu
        stop.set()
        arrivals: list[list[float]] = await loop.run_in_executor(None, results.get, True, CONNECT_TIMEOUT_SECONDS)
    finally:
        stop.set()
        if phones.pid is not None:
            await loop.run_in_executor(None, phones.join, STOP_TIMEOUT_SECONDS)
        for officer in officers:
            await officer.leave()
    late = frames = 0
    for arrived in arrivals:
        in_window = [at for at in arrived if window_start <= at <= window_end]
        frames += len(in_window)
        late += late_frames(in_window)
    elapsed = window_end - window_start
    return _Step(
        legs=len(rooms),
        late_percent=100 * late / (frames or 1),
        frames=frames,
        cpu_per_leg_percent=100 * server_cpu / len(rooms) / elapsed,
        connect_seconds=connected,
        client_cpu_percent=100 * client_cpu / elapsed,
    )


async def _drive(
    service: SignalingProcess, rooms: list[BenchRoom], secret: str, plan: PhonePlan
) -> tuple[_Delays, list[_Step]]:
    async with ClientSession() as session:
        delays = await _measure_delays(session, service.port, rooms[0], secret, plan)
        steps: list[_Step] = []
        for legs in plan.steps:
            await asyncio.sleep(1.0)  # the last step's legs have left: their lines are logged, records written
            sent, late = _pacing(service)
            step = await _measure_step(session, service, rooms[1 : legs + 1], secret, plan.step_seconds)
            await asyncio.sleep(1.0)
            sent_now, late_now = _pacing(service)
            step.service_late_percent = 100 * (late_now - late) / ((sent_now - sent) or 1)
            steps.append(step)
            if step.late_percent > LATE_LIMIT_PERCENT:
                break
    return delays, steps


def run_phone_bridge(core: Flask, folder: Path, report: Reporter, rooms: list[BenchRoom], plan: PhonePlan) -> None:
    """Delay each way through the bridge, then legs 1, 2, 4, ... until the audio to the phones breaks up."""
    if len(rooms) < plan.rooms:
        raise ValueError(f"the phone benchmark needs {plan.rooms} bookings, not {len(rooms)}")
    settings = core.extensions["rris.settings"]
    dispose(core)  # the service writes the records; this process keeps no SQLite connection open meanwhile
    # INFO: the bridge logs its pacing at each leg's end
    service_process = signaling_process(settings, folder, module="benchmarks.call_phone", log_level="INFO")
    with loopback_ice(), service_process as service:
        delays, steps = asyncio.run(_drive(service, rooms, settings.secret_key, plan))
    _report(report, plan, delays, steps, service)


def _report(report: Reporter, plan: PhonePlan, delays: _Delays, steps: list[_Step], service: SignalingProcess) -> None:
    size = {"data": {"bursts": plan.bursts, "max_legs": plan.max_legs}, "database": "sqlite"}
    for way, samples, aim in (
        ("phone_to_call", delays.phone_to_call, {"aim": 80}),
        ("call_to_phone", delays.call_to_phone, {"aim": 80}),
        ("phone_to_stock_aiortc", delays.phone_to_stock_aiortc, {}),
    ):
        for percent in (50, 95):
            report.emit(
                BENCH, f"{way}_p{percent}", percentile(samples, percent), "ms", **size, **(aim if percent == 95 else {})
            )
        report.emit(BENCH, f"{way}_samples", len(samples), "count", **size)
    for step in steps:
        fields = {**size, "legs": step.legs, "frames": step.frames, "seconds": plan.step_seconds}
        report.emit(BENCH, "step_late_percent", step.late_percent, "%", **fields, limit=LATE_LIMIT_PERCENT)
        report.emit(BENCH, "step_cpu_per_leg", step.cpu_per_leg_percent, "% of a core", **fields)
        report.emit(BENCH, "step_connect", step.connect_seconds, "s", **fields)
        report.emit(BENCH, "step_client_cpu", step.client_cpu_percent, "% of a core", **fields)
        report.emit(BENCH, "step_service_late_percent", step.service_late_percent, "%", **fields)
    passed = [step for step in steps if step.late_percent <= LATE_LIMIT_PERCENT]
    best = passed[-1] if passed else None
    limit_found = len(passed) < len(steps)
    report.emit(BENCH, "max_legs", best.legs if best else 0, "legs", **size, limit_found=limit_found)
    report.emit(
        BENCH,
        "cpu_per_leg",
        best.cpu_per_leg_percent if best else 0.0,
        "% of a core",
        **size,
        legs=best.legs if best else 0,
    )
    sent, late = _pacing(service)
    report.emit(BENCH, "service_late_sends", 100 * late / (sent or 1), "%", **size, frames=sent)
    report.emit(BENCH, "server_warnings", service.log_lines("WARNING") + service.log_lines("ERROR"), "lines", **size)


if __name__ == "__main__":
    sys.exit(serve_on_loopback())
