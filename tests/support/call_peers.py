"""Real call participants for tests: a signalling server on 127.0.0.1, protocol clients, and
aiortc peers that send a tone and report which tones they hear.

The peers speak `signaling/protocol.py` exactly as the browser page does: the peer whose id
sorts first makes the offer; SDP travels through the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fractions
import json
import math
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy
from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestServer
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AUDIO_PTIME, MediaStreamError, MediaStreamTrack
from av import AudioFrame
from flask import Flask

from rris.settings import Settings
from rris.timeutil import Clock
from signaling.app import CALLS, create_signaling_app
from signaling.calls import CallService, Timings
from signaling.nodes import NodeTimings

TONE_RATE = 48000
_T = TypeVar("_T")
# The roster is checked at every join; its periodic check again only where a test asks for it
# (WATCHFUL), since it would share the test's one database connection with the test's own reads.
FAST = Timings(heartbeat_seconds=1.0, away_grace_seconds=1.0, join_timeout_seconds=2.0, roster_check_seconds=3600.0)
WATCHFUL = dataclasses.replace(FAST, roster_check_seconds=0.2)


@dataclass
class SignalingUnderTest:
    """A signalling service listening on 127.0.0.1, with the portal's origin to present."""

    url: str
    origin: str
    service: CallService
    session: ClientSession
    phone_url: str = ""  # the Media Streams endpoint of the phone bridge
    presence_url: str = ""  # the live on-demand pages' endpoint

    async def connect(
        self, origin: str | None = None, url: str | None = None, headers: dict[str, str] | None = None
    ) -> ProtocolClient:
        socket = await self.session.ws_connect(
            url or self.url, origin=origin or self.origin, autoping=True, headers=headers
        )
        return ProtocolClient(socket)

    async def core(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run a core use case as the service's own database thread does (the test's one connection
        must not be used from two threads at once while the service runs)."""
        return await self.service.recorder.call(function, *args)


@contextlib.asynccontextmanager
async def running_signaling(
    core: Flask,
    clock: Clock,
    timings: Timings = FAST,
    settings: Settings | None = None,
    node_timings: NodeTimings | None = None,
    records_worker: ThreadPoolExecutor | None = None,
) -> AsyncIterator[SignalingUnderTest]:
    """The signalling app for `core`'s settings, or `settings` (records go to `core`'s database),
    on a free port."""
    settings = settings or core.extensions["rris.settings"]
    app = create_signaling_app(
        settings, clock=clock, core=core, timings=timings, node_timings=node_timings, records_worker=records_worker
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as session:
            yield SignalingUnderTest(
                url=f"ws://127.0.0.1:{server.port}/calls/ws",
                origin=app[CALLS].allowed_origin,
                service=app[CALLS],
                session=session,
                phone_url=f"ws://127.0.0.1:{server.port}/phone/stream",
                presence_url=f"ws://127.0.0.1:{server.port}/ondemand/ws",
            )
    finally:
        await server.close()


class ProtocolClient:
    """One WebSocket to the service: send frames, await frames of a given type."""

    def __init__(self, socket: ClientWebSocketResponse) -> None:
        self.socket = socket
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.frames: list[str] = []  # every text frame as it came over the wire
        self.closed = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for frame in self.socket:
            if frame.type is WSMsgType.TEXT:
                self.frames.append(frame.data)
                await self.inbox.put(json.loads(frame.data))
        self.closed.set()

    async def send(self, kind: str, **fields: Any) -> None:
        await self.socket.send_str(json.dumps({"type": kind, **fields}))

    async def join(self, token: str, resume: bool = False) -> dict[str, Any]:
        await self.send("join", ticket=token, resume=resume)
        return await self.expect("welcome")

    async def expect(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next frame of type `kind` (other frames before it are dropped)."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self.inbox.get()
                if message["type"] == kind:
                    return message

    async def close_code(self, timeout: float = 5.0) -> int | None:
        """Wait for the server to close the socket; its close code."""
        async with asyncio.timeout(timeout):
            await self.closed.wait()
        return self.socket.close_code

    async def close(self) -> None:
        await self.socket.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


class ToneTrack(MediaStreamTrack):
    """Audio: a sine at `frequency`, 20 ms frames paced in real time."""

    kind = "audio"

    def __init__(self, frequency: float) -> None:
        super().__init__()
        self.frequency = frequency
        self._sent = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        samples = int(AUDIO_PTIME * TONE_RATE)
        if self._start is None:
            self._start = time.time()
        else:
            await asyncio.sleep(max(0.0, self._start + self._sent / TONE_RATE - time.time()))
        t = (numpy.arange(samples) + self._sent) / TONE_RATE
        pcm = (numpy.sin(2 * math.pi * self.frequency * t) * 8000).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = TONE_RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, TONE_RATE)
        self._sent += samples
        return frame


def dominant_frequencies(pcm: numpy.ndarray, rate: int, count: int = 3) -> list[float]:
    """The `count` strongest frequencies of a mono signal, by FFT (Hann window), 10 Hz apart at least."""
    window = numpy.hanning(len(pcm))
    spectrum = numpy.abs(numpy.fft.rfft(pcm * window))
    frequencies = numpy.fft.rfftfreq(len(pcm), 1 / rate)
    found: list[float] = []
    for index in numpy.argsort(spectrum)[::-1]:
        frequency = float(frequencies[index])
        if frequency > 50 and all(abs(frequency - f) > 30 for f in found):
            found.append(frequency)
        if len(found) == count:
            break
    return found


@dataclass
class Heard:
    """What one peer received from another."""

    frames: int = 0
    pcm: list[numpy.ndarray] = field(default_factory=list)
    rate: int = TONE_RATE

    def tones(self, count: int = 1) -> list[float]:
        signal = numpy.concatenate(self.pcm[-100:]).astype(float)  # the last two seconds
        return dominant_frequencies(signal, self.rate, count)


class AiortcParticipant:
    """A call participant with aiortc: joins through the service, sends a tone and a data-channel
    greeting to each peer, and records what arrives."""

    def __init__(self, client: ProtocolClient, frequency: float, ice: RTCConfiguration | None = None) -> None:
        self.client = client
        self.frequency = frequency
        self.ice = ice or RTCConfiguration(iceServers=[])
        self.me = ""
        self.connections: dict[str, RTCPeerConnection] = {}
        self.heard: dict[str, Heard] = {}
        self.messages: dict[str, list[str]] = {}
        self.connected: dict[str, asyncio.Event] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.Task[None] | None = None

    async def join(self, token: str) -> dict[str, Any]:
        welcome = await self.client.join(token)
        self.me = welcome["you"]["id"]
        for peer in welcome["peers"]:
            await self._meet(peer["id"])
        self._loop = asyncio.ensure_future(self._serve())
        return welcome

    async def resume(self, client: ProtocolClient, token: str) -> dict[str, Any]:
        """Join again over a new socket (another node) with the same ticket, keeping the peer
        connections, as the page does after its socket dropped."""
        if self._loop is not None:
            self._loop.cancel()
        self.client = client
        welcome = await client.join(token, resume=True)
        self._loop = asyncio.ensure_future(self._serve())
        return welcome

    def is_offerer_towards(self, peer: str) -> bool:
        return self.me < peer

    def outgoing_track(self, peer: str) -> MediaStreamTrack:
        """What this participant sends to `peer` (its tone; benchmarks send other signals)."""
        return ToneTrack(self.frequency)

    async def wait_connected(self, peer: str, timeout: float = 10.0) -> None:
        self.connected.setdefault(peer, asyncio.Event())
        async with asyncio.timeout(timeout):
            await self.connected[peer].wait()

    async def wait_heard(self, peer: str, frames: int = 100, timeout: float = 10.0) -> Heard:
        async with asyncio.timeout(timeout):
            while self.heard.get(peer, Heard()).frames < frames:
                await asyncio.sleep(0.05)
        return self.heard[peer]

    async def wait_message(self, peer: str, timeout: float = 10.0) -> str:
        async with asyncio.timeout(timeout):
            while not self.messages.get(peer):
                await asyncio.sleep(0.02)
        return self.messages[peer][0]

    async def _serve(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                message = await self.client.inbox.get()
                kind = message["type"]
                if kind == "peer-joined":
                    await self._forget(message["peer"]["id"])
                    await self._meet(message["peer"]["id"])
                elif kind == "peer-left":
                    await self._forget(message["peer"])
                elif kind == "offer":
                    await self._answer(message["from"], message["sdp"])
                elif kind == "answer":
                    pc = self.connections.get(message["from"])
                    if pc is not None:
                        await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))

    async def _meet(self, peer: str) -> None:
        if not self.is_offerer_towards(peer):
            return  # the other side offers
        pc = self._connection(peer)
        channel = pc.createDataChannel("chat")
        channel.on("open", lambda: channel.send(f"hello from {self.me}"))
        channel.on("message", lambda text: self.messages.setdefault(peer, []).append(text))
        await pc.setLocalDescription(await pc.createOffer())
        await self.client.send("offer", to=peer, sdp=pc.localDescription.sdp)

    async def _answer(self, peer: str, sdp: str) -> None:
        await self._forget(peer)
        pc = self._connection(peer)

        @pc.on("datachannel")
        def on_channel(channel: Any) -> None:
            channel.on("message", lambda text: self.messages.setdefault(peer, []).append(text))
            channel.send(f"hello from {self.me}")

        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.client.send("answer", to=peer, sdp=pc.localDescription.sdp)

    def _connection(self, peer: str) -> RTCPeerConnection:
        pc = RTCPeerConnection(self.ice)
        self.connections[peer] = pc
        self.connected.setdefault(peer, asyncio.Event())
        pc.addTrack(self.outgoing_track(peer))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState == "connected":
                self.connected[peer].set()
            if not self.client.socket.closed:
                with contextlib.suppress(ConnectionError):
                    await self.client.send("status", peer=peer, state=_status_of(pc.connectionState))

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.ensure_future(self._listen(peer, track))
            self._tasks.add(task)

        return pc

    async def _listen(self, peer: str, track: MediaStreamTrack) -> None:
        heard = self.heard.setdefault(peer, Heard())
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await track.recv()  # consume every frame: aiortc's queues are unbounded
                heard.frames += 1
                heard.rate = frame.sample_rate
                heard.pcm.append(frame.to_ndarray().reshape(-1)[:: len(frame.layout.channels)])
                del heard.pcm[:-200]

    async def _forget(self, peer: str) -> None:
        pc = self.connections.pop(peer, None)
        if pc is not None:
            await pc.close()

    async def leave(self, say_goodbye: bool = True) -> None:
        if say_goodbye and not self.client.socket.closed:
            await self.client.send("leave")
        await self.close()

    async def close(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
        for task in self._tasks:
            task.cancel()
        for peer in list(self.connections):
            await self._forget(peer)
        await self.client.close()


def _status_of(connection_state: str) -> str:
    return {"new": "connecting", "disconnected": "reconnecting"}.get(connection_state, connection_state)
