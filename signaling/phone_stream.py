"""`GET /phone/stream`: a telephone leg's audio, as Twilio Media Streams (bidirectional) speak it.

Twilio opens this WebSocket for the TwiML `<Connect><Stream url=".../phone/stream">` with a
`<Parameter name="ticket">`; without Twilio the simulator page plays the phone through the same
protocol. JSON text frames (https://www.twilio.com/docs/voice/media-streams/websocket-messages):

  phone -> service
    {"event": "connected", "protocol": "Call", "version": "1.0.0"}           (optional)
    {"event": "start", "sequenceNumber": "1", "streamSid": "MZ...",
     "start": {"streamSid", "callSid", "accountSid", "tracks": ["inbound"],
               "customParameters": {"ticket": "<leg ticket>"},
               "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}
                                                  first, within 10 s
    {"event": "media", "streamSid", "media": {"track": "inbound", "chunk", "timestamp",
     "payload": "<base64 mu-law, 160 bytes per 20 ms>"}}
    {"event": "stop", "streamSid", "stop": {...}}  the call ended: the leg leaves the call
    {"event": "mark" | "dtmf", ...}                ignored
  service -> phone
    {"event": "media", "streamSid": "MZ...", "media": {"payload": "<base64 mu-law, 160 bytes>"}}
                                                  one every 20 ms: the mix of everyone else

The leg ticket (`rris.calls.domain.call_tickets`, TicketKind.LEG: a join ticket is refused here, as a
leg ticket is on /calls/ws; read with the service's clock) decides the room. When Twilio is
configured the handshake must also carry a valid X-Twilio-Signature. Twilio signs the URL it
connects to, the `<Stream url>` from the TwiML: RRIS_SIGNALING_PUBLIC_URL + "/phone/stream" in
its wss:// form, with no parameters (a GET has no body). So the signature is checked against
that configured public URL, never the Host header (this service sits behind a TLS proxy); its
https:// twin is accepted too, in case Twilio's signer normalises the scheme. Refusals close the
socket with the call protocol's close codes (4401 ticket refused, 4403 used, 4404 the person no
longer takes part, 4408 no start, 4400 bad frame, 4422 unsupported audio, 4410 the leg or the
call is over, 1013 the roster could not be read), the reason repeating the code; a bad signature
is HTTP 403. Closing the stream ends the Twilio call: nothing follows the `<Connect>` in its
TwiML.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web
from twilio.request_validator import RequestValidator

from rris.calls.domain.call_tickets import CallTicket, TicketKind, TicketRejected, read_ticket
from rris.settings import Settings
from rris.timeutil import Clock
from signaling.calls import CallService, Timings
from signaling.phone_audio import FRAME_SECONDS, PHONE_RATE
from signaling.phone_bridge import BridgeRefused, PhoneBridge, ice_configuration
from signaling.phone_desk import PhoneDesk
from signaling.protocol import Close
from signaling.roster import CANCELLED, REMOVED, UNCHECKED

logger = logging.getLogger("signaling.phone")

PHONE_STREAM_PATH = "/phone/stream"
MAX_STREAM_FRAME_BYTES = 16 * 1024  # a 20 ms media frame is ~300 bytes of JSON
MAX_MEDIA_BYTES = 1600  # 200 ms of mu-law in one frame at most
MEDIA_FORMAT = {"encoding": "audio/x-mulaw", "sampleRate": PHONE_RATE, "channels": 1}
_ROSTER_CODES = {refusal.code: refusal.close_code for refusal in (REMOVED, CANCELLED, UNCHECKED)}
LATE_SECONDS = 0.020  # a frame to the phone this much behind its 20 ms slot counts as late
RESYNC_SECONDS = 0.200  # further behind than this (the loop stalled): start the slots afresh, no burst


class StreamRefused(Exception):
    """The stream cannot join: close the WebSocket with `close_code`; `code` says why."""

    def __init__(self, close_code: int, code: str) -> None:
        super().__init__(code)
        self.close_code = close_code
        self.code = code


@dataclass(frozen=True)
class StreamStart:
    """What the `start` message says."""

    stream_sid: str
    call_sid: str
    token: str


@dataclass
class Pacing:
    """How punctually the frames to the phone went out."""

    frames: int = 0
    late: int = 0
    worst_seconds: float = 0.0

    def note(self, behind_seconds: float) -> None:
        self.frames += 1
        self.worst_seconds = max(self.worst_seconds, behind_seconds)
        if behind_seconds > LATE_SECONDS:
            self.late += 1


@dataclass
class PhoneStreams:
    """The Media Streams endpoint: one bridge per stream."""

    settings: Settings
    clock: Clock
    calls: CallService
    desk: PhoneDesk
    timings: Timings

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /phone/stream: one phone leg, from its `start` to its `stop`."""
        if self.settings.twilio_configured and not twilio_signed(self.settings, request):
            logger.warning("refused a phone stream without a valid Twilio signature")
            raise web.HTTPForbidden(text="Only Twilio opens phone streams.")
        socket = web.WebSocketResponse(max_msg_size=MAX_STREAM_FRAME_BYTES, heartbeat=self.timings.heartbeat_seconds)
        await socket.prepare(request)
        try:
            start = await self._receive_start(socket)
            ticket = await self._read_ticket(start.token)
            await self._bridge(socket, start, ticket)
        except StreamRefused as refused:
            logger.info("closing a phone stream: %s", refused.code)
            await socket.close(code=refused.close_code, message=refused.code.encode())
        finally:
            if not socket.closed:
                await socket.close()
        return socket

    async def _receive_start(self, socket: web.WebSocketResponse) -> StreamStart:
        try:
            async with asyncio.timeout(self.timings.join_timeout_seconds):
                while True:
                    message = stream_message(await socket.receive())
                    if message["event"] == "connected":
                        continue
                    if message["event"] != "start":
                        raise StreamRefused(Close.INVALID_MESSAGE, "start_first")
                    return parse_start(message)
        except TimeoutError:
            raise StreamRefused(Close.JOIN_TIMEOUT, "start_timeout") from None

    async def _read_ticket(self, token: str) -> CallTicket:
        try:
            ticket = read_ticket(token, self.settings.secret_key, self.clock.now(), TicketKind.LEG)
        except TicketRejected as rejected:
            raise StreamRefused(Close.TICKET_REFUSED, f"ticket_{rejected.reason}") from None
        if await self.calls.nodes.is_burnt(ticket):
            raise StreamRefused(Close.TICKET_USED, "ticket_used")
        return ticket

    async def _bridge(self, socket: web.WebSocketResponse, start: StreamStart, ticket: CallTicket) -> None:
        if not await self.desk.stream_started(ticket):
            raise StreamRefused(Close.CALL_OVER, "leg_over")
        bridge = PhoneBridge(self.calls, start.token, ticket, ice_configuration(self.settings, ticket))
        hung_up = False
        pacing = Pacing()
        pacer: asyncio.Task[None] | None = None
        try:
            try:
                await bridge.join()
            except BridgeRefused as refused:
                raise StreamRefused(_close_code_of(refused.code), refused.code) from None
            logger.info("phone %s joined call %s (stream %s)", ticket.participant, ticket.booking_id, start.stream_sid)
            pacer = asyncio.ensure_future(self._pace(socket, start.stream_sid, bridge, pacing))
            # Hung up from the call page, the call over, the service stopping: the phone goes too.
            ended_by_call = asyncio.ensure_future(_close_when_ended(socket, bridge))
            try:
                hung_up = await self._relay(socket, bridge)
            finally:
                if not bridge.ended.is_set():
                    ended_by_call.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ended_by_call  # a close under way finishes its handshake
        finally:
            if pacer is not None:
                pacer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pacer
            await asyncio.shield(self._end(bridge, ticket, hung_up, pacing))

    async def _end(self, bridge: PhoneBridge, ticket: CallTicket, hung_up: bool, pacing: Pacing) -> None:
        await bridge.leave(hung_up)
        await self.desk.stream_stopped(ticket)
        logger.info(
            "phone %s left call %s: %d frames to the phone, %d late by over %d ms (worst %.0f ms)",
            ticket.participant,
            ticket.booking_id,
            pacing.frames,
            pacing.late,
            LATE_SECONDS * 1000,
            pacing.worst_seconds * 1000,
        )

    async def _relay(self, socket: web.WebSocketResponse, bridge: PhoneBridge) -> bool:
        """The phone's frames into the call until it stops (True) or its socket goes (False)."""
        while True:
            frame = await socket.receive()
            if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return False
            message = stream_message(frame)
            if message["event"] == "media":
                bridge.hear(media_payload(message))
            elif message["event"] == "stop":
                return True

    async def _pace(self, socket: web.WebSocketResponse, stream_sid: str, bridge: PhoneBridge, pacing: Pacing) -> None:
        """Every 20 ms, the mix of the others to the phone, on a schedule that does not drift (its
        phase nudged to just after the others' frames arrive)."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not socket.closed:
            due += FRAME_SECONDS
            due += bridge.mixer.nudge(due)
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            elif -wait > RESYNC_SECONDS:
                due = loop.time()
            pacing.note(loop.time() - due)
            payload = base64.b64encode(bridge.next_for_phone()).decode()
            with contextlib.suppress(ConnectionError):
                await socket.send_str(
                    json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})
                )


async def _close_when_ended(socket: web.WebSocketResponse, bridge: PhoneBridge) -> None:
    await bridge.ended.wait()
    await socket.close(code=bridge.end_code or Close.NORMAL, message=bridge.end_reason.encode()[:120])


def twilio_signed(settings: Settings, request: web.Request) -> bool:
    """Whether the handshake's X-Twilio-Signature is Twilio's for our public stream URL."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = settings.signaling_public_url + PHONE_STREAM_PATH
    if request.query_string:
        url += "?" + request.query_string
    twin = url.replace("wss://", "https://", 1) if url.startswith("wss://") else url.replace("ws://", "http://", 1)
    validator = RequestValidator(settings.twilio_auth_token)
    return any(validator.validate(candidate, {}, signature) for candidate in (url, twin))


def stream_message(frame: Any) -> dict[str, Any]:
    """A Media Streams frame as a dict with an "event"; StreamRefused when it is not one."""
    if getattr(frame, "type", None) is not WSMsgType.TEXT:
        raise StreamRefused(Close.BAD_FRAME, "text_frames_only")
    try:
        message = json.loads(frame.data)
    except ValueError:
        raise StreamRefused(Close.BAD_FRAME, "not_json") from None
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        raise StreamRefused(Close.BAD_FRAME, "bad_frame")
    return message


def parse_start(message: dict[str, Any]) -> StreamStart:
    """The `start` message's stream, call and leg ticket; StreamRefused when it lacks them."""
    start = message.get("start")
    if not isinstance(start, dict):
        raise StreamRefused(Close.BAD_FRAME, "bad_start")
    parameters = start.get("customParameters")
    token = parameters.get("ticket") if isinstance(parameters, dict) else None
    if not isinstance(token, str) or not token:
        raise StreamRefused(Close.TICKET_REFUSED, "ticket_missing")
    media_format = start.get("mediaFormat", MEDIA_FORMAT)
    if not isinstance(media_format, dict) or any(media_format.get(k) != v for k, v in MEDIA_FORMAT.items()):
        raise StreamRefused(Close.INVALID_MESSAGE, "unsupported_media_format")
    stream_sid = start.get("streamSid") or message.get("streamSid")
    if not isinstance(stream_sid, str) or not stream_sid:
        raise StreamRefused(Close.BAD_FRAME, "bad_start")
    call_sid = start.get("callSid")
    return StreamStart(stream_sid, call_sid if isinstance(call_sid, str) else "", token)


def media_payload(message: dict[str, Any]) -> bytes:
    """The mu-law bytes of a `media` message; StreamRefused when malformed or oversized."""
    media = message.get("media")
    payload = media.get("payload") if isinstance(media, dict) else None
    if not isinstance(payload, str) or len(payload) > MAX_MEDIA_BYTES * 4 // 3 + 4:
        raise StreamRefused(Close.BAD_FRAME, "bad_media")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise StreamRefused(Close.BAD_FRAME, "bad_media") from None


def _close_code_of(code: str) -> int:
    """The close code for a refusal the call service gave the bridge."""
    if code == "ticket_used":
        return Close.TICKET_USED
    if code == "room_full":
        return Close.ROOM_FULL
    if code in _ROSTER_CODES:
        return _ROSTER_CODES[code]
    if code.startswith("ticket_"):
        return Close.TICKET_REFUSED
    return Close.INVALID_MESSAGE
