"""Rooms: who is connected to which call right now.

A room lives in the memory of the one node that hosts it (`signaling.nodes`; participants
connected to other nodes reach it through `signaling.relay`). One live connection per
participant: a newer connection replaces the older one.
A participant whose WebSocket drops is "away" for a grace period before the others are told
they are gone, so a reconnect with the same ticket is not shown as leaving and coming back.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aiohttp import WSMessage

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_quality import QualityTally
from rris.calls.domain.call_tickets import CallTicket
from signaling.limits import TokenBucket
from signaling.protocol import encode

# One client's allowance: a call start with four peers trickling candidates fits comfortably.
MESSAGES_PER_SECOND = 20
MESSAGE_BURST = 200
CANDIDATES_PER_SECOND = 5
CANDIDATE_BURST = 100

BROWSER = "browser"  # the channels of the call records: a call page's WebSocket...
PHONE = "phone"  # ...or a telephone leg bridged in by this process


class Socket(Protocol):
    """What the service needs of a participant's connection: aiohttp's WebSocketResponse, or an
    in-process participant's `LocalSocket` (the phone bridge)."""

    @property
    def closed(self) -> bool: ...

    @property
    def close_code(self) -> int | None: ...

    async def send_str(self, data: str) -> None: ...

    async def receive(self) -> WSMessage: ...

    async def close(self, *, code: int = ..., message: bytes = ...) -> bool: ...


@dataclass(eq=False)
class Connection:
    """One participant's connection to a room."""

    ticket: CallTicket
    socket: Socket
    joined_at: datetime
    channel: str = BROWSER
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    quality: QualityTally = field(default_factory=QualityTally)
    messages: TokenBucket = field(default_factory=lambda: TokenBucket(MESSAGES_PER_SECOND, MESSAGE_BURST))
    candidates: TokenBucket = field(default_factory=lambda: TokenBucket(CANDIDATES_PER_SECOND, CANDIDATE_BURST))
    end_reason: str = "gone"  # what the records say when this connection ends

    @property
    def participant(self) -> Participant:
        return self.ticket.participant

    def describe(self) -> dict[str, str | bool]:
        """The PEER object of the protocol ("phone": true only for a telephone leg)."""
        peer: dict[str, str | bool] = {
            "id": self.participant.encode(),
            "role": self.ticket.role.value,
            "name": self.ticket.display_name,
        }
        if self.channel == PHONE:
            peer["phone"] = True
        return peer

    async def send(self, kind: str, **fields: object) -> None:
        """Send a frame; a connection that is closing just misses it."""
        if not self.socket.closed:
            with contextlib.suppress(ConnectionError):
                await self.socket.send_str(encode(kind, **fields))


@dataclass(eq=False)
class Room:
    """The live connections of one call, by participant."""

    id: str
    booking_id: int
    connections: dict[Participant, Connection] = field(default_factory=dict)
    # participant -> (the timer that declares them gone, the nonce of the ticket they dropped with)
    away: dict[Participant, tuple[asyncio.TimerHandle, str]] = field(default_factory=dict)

    def others(self, connection: Connection) -> Iterator[Connection]:
        return (c for c in self.connections.values() if c is not connection)

    async def broadcast(self, sender: Connection | None, kind: str, **fields: object) -> None:
        """Send a frame to everyone in the room but `sender`."""
        await asyncio.gather(*(c.send(kind, **fields) for c in list(self.connections.values()) if c is not sender))

    @property
    def is_empty(self) -> bool:
        return not self.connections and not self.away


class Rooms:
    """Every room this process hosts (used tickets: `signaling.nodes`)."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}

    def __len__(self) -> int:
        return len(self._rooms)

    def __iter__(self) -> Iterator[Room]:
        return iter(list(self._rooms.values()))

    def room_for(self, ticket: CallTicket) -> Room:
        room = self._rooms.get(ticket.room)
        if room is None:
            room = self._rooms[ticket.room] = Room(ticket.room, ticket.booking_id)
        return room

    def discard_if_empty(self, room: Room) -> None:
        if room.is_empty and self._rooms.get(room.id) is room:
            del self._rooms[room.id]

    def connections(self) -> list[Connection]:
        return [c for room in self._rooms.values() for c in room.connections.values()]
