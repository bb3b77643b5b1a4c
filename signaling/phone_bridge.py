"""The phone bridge: a telephone leg taking part in its call from inside this process.

The bridge joins the room as the phone participant ("phone-user-7") through the call service's
own code (`CallService.attend` over a `LocalSocket`), so the others see an ordinary PEER with
"phone": true, its offers and answers are relayed like a page's, and its attendance is recorded
on the "phone" channel. Towards every other participant it keeps one RTCPeerConnection (the
mesh, with the protocol's offerer rule); it sends the phone's voice on each and mixes what
arrives on all of them for the phone.

Codec: the bridge offers and answers G.711 mu-law (PCMU) first, Opus after it. The phone is
8 kHz mu-law already, so with PCMU (every browser has it) the phone's bytes go into RTP as they
came, with no decoding, resampling or encoding (Opus is the dearest part of a leg), and nothing
of quality is lost that the phone line had not lost before. A peer without PCMU gets Opus:
the bridge decodes the mu-law and aiortc resamples to 48 kHz and encodes.

Delay is the point of care (aim: under 80 ms one way, phone to ear): the phone's frames go out
as soon as they arrive (no pacing of our own, at most two waiting); incoming RTP waits in a
jitter buffer one frame deep instead of aiortc's four (80 ms); the mix waits for the phone's
next 20 ms tick and drops spare frames that were never needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time
from collections import deque
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import SessionDescription, candidate_from_sdp
from av import AudioFrame, Packet

from rris.calls.domain.call_tickets import CallTicket
from rris.calls.domain.ice_servers import ice_servers
from rris.settings import Settings
from signaling.calls import CallService
from signaling.local_socket import LocalSocket
from signaling.phone_audio import PHONE_FRAME_SAMPLES, PHONE_RATE, Mixer, mulaw_to_pcm
from signaling.protocol import Close
from signaling.rooms import PHONE

logger = logging.getLogger("signaling.phone")

# Frames of the phone's voice that may wait for a peer's encoder; older ones are dropped.
VOICE_BACKLOG_FRAMES = 2
# aiortc's audio receivers hold 4 frames (80 ms) before decoding; the bridge holds 1 (20 ms)...
RECEIVE_PREFETCH_FRAMES = 1
# ...in a buffer of 4 packets, not 16: aiortc releases one frame per packet that arrives, so a
# lost packet stalls the audio until the buffer is full and leaves it that full for good (with
# 16 slots one lost packet leaves it 280 ms behind instead of 80); 4 slots bound that to 60 ms.
RECEIVE_CAPACITY_PACKETS = 4
RECOVERY_SPACING_SECONDS = 4.0  # at most one fresh offer per peer this often
JOIN_ANSWER_SECONDS = 10.0
PREFERRED_CODEC = "audio/pcmu"
_TIME_BASE = fractions.Fraction(1, PHONE_RATE)
_REPORTED_STATES = {"new": "connecting", "disconnected": "reconnecting"}  # aiortc's states in the protocol's words


class BridgeRefused(Exception):
    """The call service did not let the phone in; `code` is its error code (e.g. "room_full")."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def ice_configuration(settings: Settings, ticket: CallTicket) -> RTCConfiguration:
    """The bridge's ICE servers: our own STUN and TURN from the settings, never a public default."""
    servers = ice_servers(
        settings.stun_urls, settings.turn_urls, settings.turn_secret, ticket.participant.encode(), ticket.expires_at
    )
    return RTCConfiguration(
        iceServers=[RTCIceServer(s["urls"], s.get("username"), s.get("credential")) for s in servers]
    )


def prefer_pcmu(transceiver: RTCRtpTransceiver) -> None:
    """Offer (or answer) G.711 mu-law first, then aiortc's other audio codecs."""
    codecs = RTCRtpSender.getCapabilities("audio").codecs
    transceiver.setCodecPreferences(sorted(codecs, key=lambda codec: codec.mimeType.lower() != PREFERRED_CODEC))


def shorten_jitter_buffer(receiver: RTCRtpReceiver) -> bool:
    """Make an audio receiver decode each frame once the next has arrived (20 ms) instead of
    after four more (aiortc's fixed 80 ms), from a buffer of 4 packets instead of 16. aiortc
    offers no setting for it, so the receiver's private buffer is replaced before the first
    packet; False (and aiortc's own delays) if an aiortc release has renamed it. A test watches
    for that."""
    name = "_RTCRtpReceiver__jitter_buffer"
    if not isinstance(getattr(receiver, name, None), JitterBuffer):
        return False
    if receiver.track is None or receiver.track.kind != "audio":
        return False
    setattr(receiver, name, JitterBuffer(capacity=RECEIVE_CAPACITY_PACKETS, prefetch=RECEIVE_PREFETCH_FRAMES))
    return True


def answer_takes_pcmu(answer_sdp: str) -> bool:
    """Whether the bridge sends PCMU after this answer: the answer's audio section lists it (a
    transceiver sends the negotiated codec it prefers, and the bridge prefers PCMU)."""
    return any(
        codec.mimeType.lower() == PREFERRED_CODEC
        for media in SessionDescription.parse(answer_sdp).media
        if media.kind == "audio"
        for codec in media.rtp.codecs
    )


class PhoneVoice(MediaStreamTrack):
    """The phone's voice towards one participant: its 20 ms mu-law frames, handed on as they
    arrive; as RTP payloads already encoded when the peer takes PCMU, else as 8 kHz PCM."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.pcmu = False  # set from the answer, before the sender starts
        self._frames: deque[bytes] = deque(maxlen=VOICE_BACKLOG_FRAMES)
        self._arrived = asyncio.Event()
        self._pts = 0

    def feed(self, mulaw: bytes) -> None:
        self._frames.append(mulaw)
        self._arrived.set()

    async def recv(self) -> AudioFrame | Packet[Any]:
        while not self._frames:
            if self.readyState != "live":
                raise MediaStreamError
            self._arrived.clear()
            await self._arrived.wait()
        if self.readyState != "live":
            raise MediaStreamError
        mulaw = self._frames.popleft()
        media: AudioFrame | Packet[Any]
        if self.pcmu:
            media = Packet(mulaw)
        else:
            media = AudioFrame.from_ndarray(mulaw_to_pcm(mulaw).reshape(1, -1), format="s16", layout="mono")
            media.sample_rate = PHONE_RATE
        media.pts = self._pts
        media.time_base = _TIME_BASE
        self._pts += len(mulaw)
        return media

    def stop(self) -> None:
        super().stop()
        self._arrived.set()


class PhoneBridge:
    """One telephone leg in its call: joined through the call service, meshed with the others."""

    def __init__(self, calls: CallService, token: str, ticket: CallTicket, ice: RTCConfiguration) -> None:
        self._calls = calls
        self._token = token
        self.ticket = ticket
        self._ice = ice
        self.me = ticket.participant.encode()  # the offerer rule compares wire ids, as the pages do
        self.mixer = Mixer()
        self._from_phone = b""  # mu-law bytes short of a whole 20 ms frame
        self._peers: dict[str, RTCPeerConnection] = {}
        self._voices: dict[str, PhoneVoice] = {}
        self._pending_candidates: dict[str, list[dict[str, Any]]] = {}
        self._last_fresh_offer: dict[str, float] = {}
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._socket = LocalSocket(self._inbox.put_nowait, self._closed_by_service)
        self._session: asyncio.Task[None] | None = None
        self._serving: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.ended = asyncio.Event()  # the service closed the connection (hung up, call over, replaced...)
        self.end_code: int | None = None
        self.end_reason = ""

    async def join(self) -> dict[str, Any]:
        """Enter the room like a page: join frame, then the welcome; BridgeRefused if refused."""
        self._session = asyncio.ensure_future(self._calls.attend(self._socket, PHONE))
        self._socket.send("join", ticket=self._token)
        async with asyncio.timeout(JOIN_ANSWER_SECONDS):
            first = await self._inbox.get()
        if first["type"] != "welcome":
            await self._wait_session()
            raise BridgeRefused(first.get("code", "refused"), first.get("message", "The call refused the phone."))
        for peer in first["peers"]:
            await self._meet(peer["id"])
        self._serving = asyncio.ensure_future(self._serve())
        return first

    def hear(self, mulaw: bytes) -> None:
        """Audio from the phone (20 ms a message from Twilio): on to every other participant at once."""
        pending = self._from_phone + mulaw
        whole = len(pending) - len(pending) % PHONE_FRAME_SAMPLES
        self._from_phone = pending[whole:]
        for start in range(0, whole, PHONE_FRAME_SAMPLES):
            frame = pending[start : start + PHONE_FRAME_SAMPLES]
            for voice in self._voices.values():
                voice.feed(frame)

    def next_for_phone(self) -> bytes:
        """The next 20 ms for the phone: everyone else, mixed."""
        return self.mixer.next_frame()

    async def leave(self, hung_up: bool) -> None:
        """The phone is gone: `hung_up` (a stop message) leaves the call; otherwise it dropped."""
        if hung_up:
            self._socket.send("leave")
        else:
            await self._socket.close(code=Close.GOING_AWAY, message=b"phone_gone")
        await self._wait_session()
        await self.close()

    async def close(self) -> None:
        """Close every peer connection and stop listening."""
        for task in (self._serving, *self._tasks):
            if task is not None:
                task.cancel()
        for peer in list(self._peers):
            await self._forget(peer)

    async def _wait_session(self) -> None:
        if self._session is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._session

    def _closed_by_service(self, code: int, reason: str) -> None:
        self.end_code, self.end_reason = code, reason
        self.ended.set()

    def _send(self, kind: str, **fields: Any) -> None:
        self._socket.send(kind, **fields)

    async def _serve(self) -> None:
        while True:
            message = await self._inbox.get()
            try:
                await self._handle(message)
            except Exception:
                logger.exception("phone %s: could not handle %s from the call", self.me, message.get("type"))

    async def _handle(self, message: dict[str, Any]) -> None:
        kind, peer = message["type"], message.get("from")
        if kind == "peer-joined":
            await self._forget(message["peer"]["id"])
            await self._meet(message["peer"]["id"])
        elif kind == "peer-left":
            await self._forget(message["peer"])
        elif kind == "offer" and peer:
            await self._answer(peer, message["sdp"])
        elif kind == "answer" and peer in self._peers:
            self._voices[peer].pcmu = answer_takes_pcmu(message["sdp"])
            await self._peers[peer].setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
            await self._add_pending_candidates(peer)
        elif kind == "candidate" and peer in self._peers:
            await self._candidate(peer, message.get("candidate"))
        elif kind == "restart" and peer in self._peers and self._offers_to(peer):
            await self._fresh_offer(peer)
        elif kind == "error":
            logger.info("phone %s: the call says %s", self.me, message.get("code"))

    def _offers_to(self, peer: str) -> bool:
        return self.me < peer

    async def _meet(self, peer: str) -> None:
        if self._offers_to(peer):
            await self._fresh_offer(peer)
        # otherwise the other side offers

    async def _fresh_offer(self, peer: str) -> None:
        """A new connection to `peer` and its offer (also the answer to "restart": aiortc does
        not restart ICE, so the bridge starts over and the page sees a new session)."""
        await self._forget(peer)
        pc = self._connection(peer)
        await pc.setLocalDescription(await pc.createOffer())
        self._send("offer", to=peer, sdp=pc.localDescription.sdp)

    async def _answer(self, peer: str, sdp: str) -> None:
        await self._forget(peer)
        pc = self._connection(peer)  # its audio transceiver takes the offer's first audio section
        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        for transceiver in pc.getTransceivers():
            # aiortc annotates a sender's track as always there; a transceiver made for an offer has none.
            track: MediaStreamTrack | None = transceiver.sender.track
            if track is None:
                transceiver.direction = "inactive"  # a phone has no camera, and decoding video costs
        answer = await pc.createAnswer()
        self._voices[peer].pcmu = answer_takes_pcmu(answer.sdp)
        await pc.setLocalDescription(answer)
        self._send("answer", to=peer, sdp=pc.localDescription.sdp)
        await self._add_pending_candidates(peer)

    async def _candidate(self, peer: str, candidate: dict[str, Any] | None) -> None:
        if not candidate or not candidate.get("candidate"):
            return  # end of candidates: aiortc needs no word of it
        if self._peers[peer].remoteDescription is None:
            self._pending_candidates.setdefault(peer, []).append(candidate)
            return
        text = candidate["candidate"]
        try:
            parsed = candidate_from_sdp(text.split(":", 1)[1] if text.startswith("candidate:") else text)
        except (AssertionError, IndexError, ValueError):
            logger.info("phone %s: unreadable candidate from %s ignored", self.me, peer)
            return
        parsed.sdpMid = candidate.get("sdpMid")
        parsed.sdpMLineIndex = candidate.get("sdpMLineIndex")
        with contextlib.suppress(ValueError):
            await self._peers[peer].addIceCandidate(parsed)

    async def _add_pending_candidates(self, peer: str) -> None:
        for candidate in self._pending_candidates.pop(peer, []):
            await self._candidate(peer, candidate)

    def _connection(self, peer: str) -> RTCPeerConnection:
        pc = RTCPeerConnection(self._ice)
        self._peers[peer] = pc
        self._voices[peer] = PhoneVoice()
        pc.addTrack(self._voices[peer])
        for transceiver in pc.getTransceivers():
            prefer_pcmu(transceiver)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            for receiver in pc.getReceivers():
                if receiver.track is track:
                    shorten_jitter_buffer(receiver)
            self._spawn(self._listen(peer, track))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if self._peers.get(peer) is not pc:
                return
            state = pc.connectionState
            self._send("status", peer=peer, state=_REPORTED_STATES.get(state, state))
            if state == "failed":
                await self._recover(peer)

        return pc

    async def _recover(self, peer: str) -> None:
        now = time.monotonic()
        if now - self._last_fresh_offer.get(peer, -RECOVERY_SPACING_SECONDS) < RECOVERY_SPACING_SECONDS:
            return
        self._last_fresh_offer[peer] = now
        if self._offers_to(peer):
            await self._fresh_offer(peer)
        else:
            self._send("restart", to=peer)

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self, peer: str, track: MediaStreamTrack) -> None:
        """Consume every frame of every track (aiortc's queues are unbounded); audio goes to the mix."""
        source = self.mixer.input_for(peer) if track.kind == "audio" else None
        loop = asyncio.get_running_loop()
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if source is not None and isinstance(frame, AudioFrame):  # audio tracks yield only these
                    source.add(frame, loop.time())

    async def _forget(self, peer: str) -> None:
        pc = self._peers.pop(peer, None)
        voice = self._voices.pop(peer, None)
        self._pending_candidates.pop(peer, None)
        self.mixer.remove(peer)
        if voice is not None:
            voice.stop()
        if pc is not None:
            await pc.close()
