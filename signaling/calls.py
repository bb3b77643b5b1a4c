"""The call WebSocket: checks the ticket, keeps the roster, relays SDP and ICE between peers.

Nothing is relayed before a valid ticket has been presented; a client that breaks the protocol
is cut off with a close code that says why, and only its own connection suffers.

A telephone leg takes part through the same code: the phone bridge (`signaling/phone_bridge.py`)
is served by `attend` over an in-process `LocalSocket` on the "phone" channel, so it joins,
relays and is recorded exactly as a call page is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, TicketKind, TicketRejected, read_ticket
from rris.settings import Settings
from rris.timeutil import Clock
from signaling.nodes import LocalNodes, Nodes, NodesUnavailable
from signaling.protocol import (
    JOIN_TIMEOUT_SECONDS,
    MAX_FRAME_BYTES,
    MAX_PARTICIPANTS,
    RELAYED_TYPES,
    ClientMessage,
    Close,
    ProtocolError,
    encode,
    parse_client_frame,
    peer_named,
)
from signaling.records import CallRecorder
from signaling.refusals import worded
from signaling.relay import Relay, move_elsewhere
from signaling.rooms import BROWSER, PHONE, Connection, Room, Rooms, Socket
from signaling.roster import CANCELLED, REMOVED, ROSTER_CHECK_SECONDS, Roster
from signaling.routing import UNAVAILABLE, bridged_to_host, still_hosts

logger = logging.getLogger("signaling.calls")

MOVED = "moved"  # another node hosts the room now; its pages were sent there
# Connections that ended for good: the others see them leave at once, with no "reconnecting".
FINAL_REASONS = frozenset({"left", "call_over", CANCELLED.code, REMOVED.code})


@dataclass(frozen=True)
class Timings:
    """How quickly the service notices silence; tests shorten them."""

    heartbeat_seconds: float = 4.0  # WebSocket ping interval; no pong within half of it closes the socket
    away_grace_seconds: float = 5.0  # a dropped participant is "away" this long before "gone"
    join_timeout_seconds: float = JOIN_TIMEOUT_SECONDS
    roster_check_seconds: float = ROSTER_CHECK_SECONDS  # who no longer takes part is cut off this soon


class PhoneRequests(Protocol):
    """Where the call pages' phone requests go (`signaling.phone_desk.PhoneDesk`)."""

    def request(self, room: Room, connection: Connection, action: str) -> None:
        """Start handling {"type": "phone", "action": ...}; the answer is sent to the page later."""

    async def leg_ended(self, room: Room, leg: Connection) -> None:
        """A telephone leg's connection has left the room."""

    def removed(self, room: Room, connection: Connection) -> None:
        """Someone no longer takes part: hang up their phone, ringing or in the call."""


class CallWatch(Protocol):
    """Who hears of a room's moments beyond the records (`signaling.ondemand_calls.OnDemandCalls`)."""

    def state(self, room: Room, connection: Connection, peer: str, state: str) -> None:
        """A page reported the state of its connection to `peer`."""

    def entered(self, room: Room) -> None:
        """Someone entered the room."""

    def emptied(self, room: Room) -> None:
        """The last one in the room is gone (not because this service stops)."""


class CallService:
    """The state and the handler of the call WebSocket endpoint."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        recorder: CallRecorder,
        timings: Timings,
        phones: PhoneRequests | None = None,
        watch: CallWatch | None = None,
        nodes: Nodes | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.recorder = recorder
        self.timings = timings
        self.phones = phones
        self.watch = watch
        self._stopping = False
        self.rooms = Rooms()
        self.nodes: Nodes = nodes or LocalNodes()
        self.relay: Relay | None = None  # set when several nodes share rooms (`signaling.relay`)
        self.roster = Roster(recorder.call)
        self.allowed_origin = origin_of(settings.public_url)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /calls/ws: one participant's connection, from the join frame to the close."""
        if request.headers.get("Origin") != self.allowed_origin:
            logger.warning("refused a call socket from origin %r", request.headers.get("Origin"))
            raise web.HTTPForbidden(text="This call can only be joined from the RRIS portal.")
        socket = web.WebSocketResponse(
            max_msg_size=MAX_FRAME_BYTES, heartbeat=self.timings.heartbeat_seconds, autoping=True
        )
        await socket.prepare(request)
        await self.attend(socket, BROWSER, request.headers.get("Accept-Language"))
        return socket

    async def attend(
        self, socket: Socket, channel: str, accept_language: str | None = None, *, routed: bool = False
    ) -> None:
        """Serve one participant over `socket` (a call page's WebSocket, or the phone bridge's
        LocalSocket on the "phone" channel), from its join frame until it is gone; a refusal is
        worded in the language `accept_language` (the page's Accept-Language) asks for. A room
        hosted on another node is served there, through the relay; `routed`: this socket is such
        a bridge from another node, which found this node hosting the room."""
        connection: Connection | None = None
        try:
            message, ticket = await self._receive_join(socket, channel)
            if routed and not await still_hosts(self.nodes, ticket):
                await move_elsewhere(socket)  # the room moved meanwhile: the page reconnects to its host
                return
            if not routed and await bridged_to_host(
                self.nodes, self.relay, socket, message, ticket, channel, accept_language
            ):
                return
            await self._admit(ticket)
            resume = bool(message.fields.get("resume", False))
            connection = await self._enter(ticket, socket, resume, channel)
            await self._serve(connection)
        except ProtocolError as refusal:
            if connection is not None:
                connection.end_reason = refusal.code
            told = await worded(self.recorder, refusal.code, refusal.message, None, accept_language)
            await refuse(socket, refusal, told)
        except asyncio.CancelledError:
            if connection is not None:
                connection.end_reason = "service_stopped"
            await socket.close(code=Close.GOING_AWAY, message=b"service_stopped")
            raise
        finally:
            if connection is not None:
                # aiohttp cancels the handler when the peer's TCP connection goes: the others must
                # still hear that this participant went away.
                await asyncio.shield(self._exit(connection))

    async def _receive_join(self, socket: Socket, channel: str) -> tuple[ClientMessage, CallTicket]:
        try:
            frame = await asyncio.wait_for(socket.receive(), self.timings.join_timeout_seconds)
        except TimeoutError:
            raise ProtocolError(Close.JOIN_TIMEOUT, "join_timeout", "Send the join frame first.") from None
        message = text_message(frame)
        if message.type != "join":
            raise ProtocolError(Close.INVALID_MESSAGE, "join_first", "The first frame must be a join frame.")
        try:
            kind = TicketKind.LEG if channel == PHONE else TicketKind.JOIN
            ticket = read_ticket(message.fields["ticket"], self.settings.secret_key, self.clock.now(), kind)
        except TicketRejected as rejected:
            raise ProtocolError(Close.TICKET_REFUSED, f"ticket_{rejected.reason}", str(rejected)) from None
        return message, ticket

    async def _admit(self, ticket: CallTicket) -> None:
        try:
            burnt = await self.nodes.is_burnt(ticket)
        except NodesUnavailable:
            raise UNAVAILABLE from None
        if burnt:
            raise ProtocolError(
                Close.TICKET_USED, "ticket_used", "You left this call; open the session page to join again."
            )
        await self.roster.admit(ticket)  # the signature proves who was let in; the roster, who still is

    async def _enter(self, ticket: CallTicket, socket: Socket, resume: bool, channel: str) -> Connection:
        room = self.rooms.room_for(ticket)
        present = set(room.connections) | set(room.away)
        if ticket.participant not in present and len(present) >= MAX_PARTICIPANTS:
            self.rooms.discard_if_empty(room)
            raise ProtocolError(
                Close.ROOM_FULL, "room_full", f"This call already has {MAX_PARTICIPANTS} participants."
            )
        connection = Connection(ticket=ticket, socket=socket, joined_at=self.clock.now(), channel=channel)
        previous = room.connections.get(ticket.participant)
        away = room.away.pop(ticket.participant, None)
        if away is not None:
            away[0].cancel()
        # The same page coming back after a dropped socket keeps its peer connections (they may
        # never have dropped), also when this service has just restarted and knows nothing of it;
        # anything else (a new tab, a reload) starts its connections afresh.
        known_nonce = previous.ticket.nonce if previous else (away[1] if away else None)
        resumed = resume and known_nonce in (None, ticket.nonce)
        room.connections[ticket.participant] = connection
        if previous is not None:
            previous.end_reason = "replaced"
            if not resumed:
                await previous.send("error", code="replaced", message="You joined from another tab or device.")
            await previous.socket.close(code=Close.REPLACED, message=b"replaced")
        # Back on a node that knew nothing of it: its earlier node died or stopped.
        elsewhere = resumed and known_nonce is None
        self.recorder.joined(ticket, connection.id, channel, connection.joined_at, elsewhere)
        if self.watch is not None:
            self.watch.entered(room)
        await connection.send(
            "welcome",
            you=connection.describe(),
            peers=[other.describe() for other in room.others(connection)],
            ends_at=ticket.expires_at.isoformat(),
        )
        if resumed:
            await room.broadcast(connection, "peer-back", peer=connection.describe())
        else:
            await room.broadcast(connection, "peer-joined", peer=connection.describe())
        return connection

    async def _serve(self, connection: Connection) -> None:
        room = self.rooms.room_for(connection.ticket)
        over = asyncio.get_running_loop().call_later(
            max(0.0, (connection.ticket.expires_at - self.clock.now()).total_seconds()),
            lambda: asyncio.ensure_future(self._call_over(connection)),
        )
        try:
            while True:
                frame = await connection.socket.receive()
                if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    if frame.type is WSMsgType.ERROR:
                        connection.end_reason = "too_big" if connection.socket.close_code == Close.TOO_BIG else "error"
                    return
                if not connection.messages.take():
                    raise ProtocolError(Close.FLOOD, "flood", "Too many messages; slow down.")
                message = text_message(frame)
                if message.type == "leave":
                    connection.end_reason = "left"
                    await self.nodes.burn(connection.ticket, self.clock.now())
                    await connection.socket.close(code=Close.NORMAL, message=b"left")
                    return
                await self._dispatch(room, connection, message)
        finally:
            over.cancel()

    async def _dispatch(self, room: Room, connection: Connection, message: ClientMessage) -> None:
        fields = message.fields
        if message.type in RELAYED_TYPES:
            if message.type == "candidate" and not connection.candidates.take():
                raise ProtocolError(Close.FLOOD, "candidate_flood", "Too many ICE candidates.")
            named = peer_named(fields["to"])
            target = None if named is None else room.connections.get(named)
            if target is None or target is connection:
                await connection.send("error", code="unknown_peer", message="That participant is not in the call.")
                return
            relayed = {k: v for k, v in fields.items() if k not in ("type", "to", "from")}
            await target.send(message.type, **{"from": connection.participant.encode()}, **relayed)
        elif message.type == "status":
            self.recorder.state(connection.id, fields["peer"], fields["state"], self.clock.now())
            if self.watch is not None:
                self.watch.state(room, connection, fields["peer"], fields["state"])
        elif message.type == "quality":
            connection.quality.add(fields.get("rtt_ms"), fields.get("loss_percent"), fields.get("bitrate_kbps"))
        elif message.type == "ping":
            await connection.send("pong")
        elif message.type == "phone":
            if self.phones is None or connection.channel != BROWSER:
                await connection.send(
                    "phone", state="refused", code="unavailable", message="Telephone calls are not available here."
                )
            else:
                self.phones.request(room, connection, fields["action"])
        elif message.type == "join":
            raise ProtocolError(Close.INVALID_MESSAGE, "already_joined", "This connection has already joined.")

    async def _call_over(self, connection: Connection) -> None:
        connection.end_reason = "call_over"
        await connection.send("error", code="call_over", message="The call is over.")
        await connection.socket.close(code=Close.CALL_OVER, message=b"call_over")

    async def check_rosters(self) -> None:
        """Cut off everyone connected who no longer takes part in their session (`signaling.roster`)."""
        for room in self.rooms:
            for connection, refusal in await self.roster.revoked(room):
                if connection.socket.closed or room.connections.get(connection.participant) is not connection:
                    continue  # gone or replaced meanwhile (a replacement's join was checked)
                connection.end_reason = refusal.code
                await refuse(connection.socket, refusal)
                if self.phones is not None:
                    self.phones.removed(room, connection)

    async def _exit(self, connection: Connection) -> None:
        """Record the end of a connection and tell the others, unless a newer one took its place."""
        now = self.clock.now()
        if not connection.socket.closed:
            await connection.socket.close()
        self.recorder.left(connection.id, now, connection.end_reason, connection.quality.summary())
        room = self.rooms.room_for(connection.ticket)
        participant = connection.participant
        if room.connections.get(participant) is not connection:
            return  # replaced: the newer connection carries on
        del room.connections[participant]
        if connection.channel == PHONE:
            # A telephone leg never comes back: a new leg is a new participant with a new ticket.
            await self.nodes.burn(connection.ticket, self.clock.now())
            reason = connection.end_reason if connection.end_reason in ("gone", REMOVED.code) else "left"
            await room.broadcast(None, "peer-left", peer=participant.encode(), reason=reason)
            if self.phones is not None:
                await self.phones.leg_ended(room, connection)
        elif connection.end_reason == MOVED:
            pass  # the whole room moves to the node that hosts it now: nobody here is away
        elif connection.end_reason in FINAL_REASONS:
            reason = REMOVED.code if connection.end_reason == REMOVED.code else "left"
            await room.broadcast(None, "peer-left", peer=participant.encode(), reason=reason)
        else:
            await room.broadcast(None, "peer-away", peer=participant.encode())
            timer = asyncio.get_running_loop().call_later(
                self.timings.away_grace_seconds, lambda: asyncio.ensure_future(self._gone(room, participant))
            )
            room.away[participant] = (timer, connection.ticket.nonce)
        self._discard_if_empty(room, deserted=connection.end_reason != MOVED)  # moved: goes on there

    async def _gone(self, room: Room, participant: Participant) -> None:
        if room.away.pop(participant, None) is not None:
            await room.broadcast(None, "peer-left", peer=participant.encode(), reason="gone")
        self._discard_if_empty(room)

    def _discard_if_empty(self, room: Room, deserted: bool = True) -> None:
        if room.is_empty and deserted and self.watch is not None and not self._stopping:
            self.watch.emptied(room)
        self.rooms.discard_if_empty(room)

    async def shutdown(self) -> None:
        """Drain: hand the rooms over, tell every client to reconnect (to another node), close
        every connection and flush the records."""
        self._stopping = True
        await self.nodes.stop([room.id for room in self.rooms])
        await asyncio.gather(*(self._send_away(connection) for connection in self.rooms.connections()))
        if self.relay is not None:
            await self.relay.stop()  # after the closes: their last frames to other nodes go out first
        for room in self.rooms:
            for timer, _nonce in room.away.values():
                timer.cancel()
        await self.recorder.drain()

    async def _send_away(self, connection: Connection) -> None:
        connection.end_reason = "service_stopped"
        await connection.send("reconnect")
        with contextlib.suppress(ConnectionError):
            await connection.socket.close(code=Close.GOING_AWAY, message=b"service_stopped")

    async def moved(self, room_id: str) -> None:
        """Another node hosts this room now: its participants here reconnect (and reach that node)."""
        for room in self.rooms:
            if room.id == room_id:
                for connection in list(room.connections.values()):
                    connection.end_reason = MOVED
                    await move_elsewhere(connection.socket)

    def touch(self) -> None:
        """Mark the live connections seen in the records (and close the orphans of dead nodes)."""
        self.nodes.forget_expired(self.clock.now())
        self.recorder.touch([c.id for c in self.rooms.connections()], self.clock.now())


def text_message(frame: object) -> ClientMessage:
    """The parsed client message of a WebSocket frame, or ProtocolError."""
    kind = getattr(frame, "type", None)
    if kind is WSMsgType.TEXT:
        return parse_client_frame(frame.data)  # type: ignore[attr-defined]
    if kind is WSMsgType.BINARY:
        raise ProtocolError(Close.BAD_FRAME, "binary_frame", "Frames must be JSON text.")
    raise ProtocolError(Close.BAD_FRAME, "closed", "The connection closed before joining.")


async def refuse(socket: Socket, refusal: ProtocolError, message: str | None = None) -> None:
    """Tell the client why (`message`, or the refusal's English sentence), then close with its code."""
    logger.info("closing a call socket: %s (%s)", refusal.code, refusal.message)
    if socket.closed:
        return
    with contextlib.suppress(ConnectionError):
        await socket.send_str(encode("error", code=refusal.code, message=message or refusal.message))
        await socket.close(code=refusal.close_code, message=refusal.code.encode()[:120])


def origin_of(url: str) -> str:
    """The Origin a browser sends for pages under `url`: scheme://host[:port]."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
