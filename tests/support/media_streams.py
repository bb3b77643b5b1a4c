"""The telephone network's side of a call, for tests: a Twilio Media Streams client.

It speaks the documented WebSocket protocol of a bidirectional stream
(https://www.twilio.com/docs/voice/media-streams/websocket-messages) to the signalling service:
`connected`, `start` with `customParameters.ticket`, `media` frames of base64 8 kHz mu-law (160
bytes per 20 ms, paced in real time) and `stop`; it keeps every `media` frame it receives, with
its arrival time, and finds their tones by FFT. Encoding and decoding use PyAV's own pcm_mulaw
codec, not the bridge's tables, so the bridge is checked against an independent G.711.

    phone = await PhoneSide.open(service.session, service.phone_url)
    await phone.start(leg_ticket)
    phone.play(ToneFrames(440.0))
    heard = await phone.wait_heard(frames=100)
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fractions
import json
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy
from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType
from av import AudioFrame, CodecContext, Packet
from twilio.request_validator import RequestValidator

from tests.support.call_peers import dominant_frequencies

PHONE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms
FRAME_SECONDS = FRAME_SAMPLES / PHONE_RATE


def mulaw_encode(pcm: numpy.ndarray) -> bytes:
    """int16 samples to G.711 mu-law bytes, by PyAV's pcm_mulaw encoder."""
    encoder = CodecContext.create("pcm_mulaw", "w")
    encoder.format = "s16"
    encoder.layout = "mono"
    encoder.sample_rate = PHONE_RATE
    encoder.time_base = fractions.Fraction(1, PHONE_RATE)
    frame = AudioFrame.from_ndarray(pcm.astype(numpy.int16).reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = PHONE_RATE
    frame.pts = 0
    return b"".join(bytes(packet) for packet in encoder.encode(frame))


def mulaw_decode(payload: bytes) -> numpy.ndarray:
    """G.711 mu-law bytes to int16 samples, by PyAV's pcm_mulaw decoder."""
    decoder = CodecContext.create("pcm_mulaw", "r")
    decoder.format = "s16"
    decoder.layout = "mono"
    decoder.sample_rate = PHONE_RATE
    frames = decoder.decode(Packet(payload))
    return numpy.concatenate([frame.to_ndarray().reshape(-1) for frame in frames])


def twilio_signature(auth_token: str, url: str) -> dict[str, str]:
    """The X-Twilio-Signature header Twilio sends for a WebSocket to `url` (a GET: no parameters)."""
    return {"X-Twilio-Signature": RequestValidator(auth_token).compute_signature(url, {})}


@dataclass
class ToneFrames:
    """A sine at `frequency`, 20 ms at a time (call it with the frame's index)."""

    frequency: float
    amplitude: float = 8000.0

    def __call__(self, index: int) -> numpy.ndarray:
        t = (numpy.arange(FRAME_SAMPLES) + index * FRAME_SAMPLES) / PHONE_RATE
        return (numpy.sin(2 * math.pi * self.frequency * t) * self.amplitude).astype(numpy.int16)


@dataclass
class Received:
    """A media frame the phone got: when (time.monotonic) and its mu-law payload."""

    at: float
    payload: bytes


@dataclass
class PhoneSide:
    """One Media Streams WebSocket, played from Twilio's side."""

    socket: ClientWebSocketResponse
    stream_sid: str = field(default_factory=lambda: "MZ" + secrets.token_hex(16))
    call_sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    received: list[Received] = field(default_factory=list)
    sent_at: dict[int, float] = field(default_factory=dict)  # frame index -> time.monotonic() of its send
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    _sequence: int = 0
    _reader: asyncio.Task[None] | None = None
    _player: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, session: ClientSession, url: str, headers: dict[str, str] | None = None) -> PhoneSide:
        """Open the WebSocket (aiohttp raises WSServerHandshakeError when the upgrade is refused)."""
        phone = cls(await session.ws_connect(url, headers=headers or {}, autoping=True))
        phone._reader = asyncio.ensure_future(phone._read())
        return phone

    async def _read(self) -> None:
        async for frame in self.socket:
            if frame.type is WSMsgType.TEXT:
                message = json.loads(frame.data)
                if message.get("event") == "media":
                    self.received.append(Received(time.monotonic(), base64.b64decode(message["media"]["payload"])))
        self.closed.set()

    async def send(self, event: str, **fields: Any) -> None:
        self._sequence += 1
        await self.socket.send_str(json.dumps({"event": event, "sequenceNumber": str(self._sequence), **fields}))

    async def start(self, ticket: str | None, **parameters: str) -> None:
        """`connected` then `start`, with the leg ticket as the custom parameter "ticket"."""
        await self.socket.send_str(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        custom = {**({"ticket": ticket} if ticket is not None else {}), **parameters}
        await self.send(
            "start",
            streamSid=self.stream_sid,
            start={
                "streamSid": self.stream_sid,
                "accountSid": "AC" + "0" * 32,
                "callSid": self.call_sid,
                "tracks": ["inbound"],
                "customParameters": custom,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": PHONE_RATE, "channels": 1},
            },
        )

    def play(self, source: Callable[[int], numpy.ndarray]) -> None:
        """Send `source(0)`, `source(1)`, ... as media frames every 20 ms until `stop` or close."""
        self._player = asyncio.ensure_future(self._play(source))

    async def _play(self, source: Callable[[int], numpy.ndarray]) -> None:
        started = time.monotonic()
        index = 0
        with contextlib.suppress(ConnectionError):
            while not self.socket.closed:
                await asyncio.sleep(max(0.0, started + index * FRAME_SECONDS - time.monotonic()))
                payload = base64.b64encode(mulaw_encode(source(index))).decode()
                self.sent_at[index] = time.monotonic()
                await self.send(
                    "media",
                    streamSid=self.stream_sid,
                    media={
                        "track": "inbound",
                        "chunk": str(index + 1),
                        "timestamp": str(index * 20),
                        "payload": payload,
                    },
                )
                index += 1

    async def stop(self) -> None:
        """The caller hung up: `stop`, then Twilio closes the socket."""
        await self._stop_playing()
        stop = {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid}
        await self.send("stop", streamSid=self.stream_sid, stop=stop)
        await self.close()

    async def close(self) -> None:
        await self._stop_playing()
        await self.socket.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _stop_playing(self) -> None:
        if self._player is not None:
            self._player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._player

    async def close_code(self, timeout: float = 5.0) -> int | None:
        """Wait for the service to close the socket; its close code."""
        async with asyncio.timeout(timeout):
            await self.closed.wait()
        return self.socket.close_code

    async def wait_heard(self, frames: int = 100, timeout: float = 10.0) -> numpy.ndarray:
        """The last `frames` frames received (once that many have come), decoded."""
        async with asyncio.timeout(timeout):
            while len(self.received) < frames:
                await asyncio.sleep(0.05)
        return self.pcm(frames)

    def pcm(self, frames: int) -> numpy.ndarray:
        return mulaw_decode(b"".join(frame.payload for frame in self.received[-frames:]))

    def tones(self, frames: int = 100, count: int = 1) -> list[float]:
        """The strongest frequencies of the last `frames` frames received."""
        return dominant_frequencies(self.pcm(frames).astype(float), PHONE_RATE, count)
