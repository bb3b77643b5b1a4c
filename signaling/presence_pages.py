"""The live on-demand pages as `signaling.presence` holds them, and the frames they are sent.

A `Page` is one socket with its presence ticket; `interpreter_frames` says what an interpreter's
page is told when her state changes (her availability, a ring that ended and how, a new ring with
its summary in the page's language), `status_frame` what an officer's page is told of her request.
`fields_of` reads a client's frame; the protocol itself is described in `signaling/presence.py`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeGuard

from aiohttp import WSMsgType, web

from rris.ondemand.domain.presence_tickets import PresenceTicket
from rris.ondemand.domain.states import RingOutcome
from rris.ondemand.services.live import CallStatus, InterpreterNow
from signaling.limits import TokenBucket
from signaling.presence_feed import Snapshot
from signaling.protocol import Close, encode


@dataclass(eq=False)
class Page:
    """One live page connected to this node: an interpreter's or an officer's."""

    socket: web.WebSocketResponse
    ticket: PresenceTicket
    last_beat: datetime
    fresh: bool = True  # has not been told the current state yet
    silenced: bool = False  # closed by the service for want of beats: no grace to come back
    frames: TokenBucket = field(default_factory=lambda: TokenBucket(5, 20))

    async def send(self, kind: str, **fields: object) -> None:
        """Send a frame; a page that is closing just misses it."""
        if not self.socket.closed:
            with contextlib.suppress(ConnectionError):
                await self.socket.send_str(encode(kind, **fields))


class Refused(Exception):
    """The page is turned away with a reason code."""

    def __init__(
        self, reason: str, message: str, close_code: int = Close.TICKET_REFUSED, locale: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.close_code = close_code
        self.locale = locale  # the ticket's, when it could be read


def interpreter_frames(
    page: Page, told: InterpreterNow | None, state: InterpreterNow, snapshot: Snapshot
) -> list[Coroutine[Any, Any, None]]:
    """The frames that bring her page from what it was `told` (None: nothing yet) to `state`."""
    frames = []
    if told is None or told.available != state.available:
        frames.append(page.send("presence", available=state.available))
    old = told.ring if told is not None else None
    if old is not None and (state.ring is None or state.ring.ring_id != old.ring_id):
        outcome = snapshot.ended.get(old.ring_id, RingOutcome.MISSED)
        frames.append(page.send("ring_ended", ring_id=old.ring_id, outcome=outcome.value))
    ring = state.ring
    if ring is not None and (old is None or old.ring_id != ring.ring_id):
        summary = snapshot.summaries.get((ring.call_id, page.ticket.locale), "")
        frames.append(
            page.send(
                "ring", ring_id=ring.ring_id, call_id=ring.call_id, until=ring.until.isoformat(), summary=summary
            )
        )
    return frames


def status_frame(page: Page, status: CallStatus) -> Coroutine[Any, Any, None]:
    """An officer's page told the status of the request it follows."""
    return page.send(
        "status",
        state=status.state.value,
        position=status.position,
        expected_wait_seconds=status.expected_wait_seconds,
        call_url=status.call_url,
    )


def whole(value: object) -> TypeGuard[int]:
    """A JSON whole number (not a boolean, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def fields_of(frame: object) -> dict[str, object]:
    """A text frame's JSON object; an empty one for anything else."""
    if getattr(frame, "type", None) is not WSMsgType.TEXT:
        return {}
    try:
        data = json.loads(frame.data)  # type: ignore[attr-defined]
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
