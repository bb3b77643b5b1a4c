"""An on-demand call's two moments the signalling service sees first: both sides in, everyone gone.

The call pages report their peer connections' states (`status` frames, recorded as call records
too); when an officer's and an interpreter's connection to each other is "connected", the core is
told (`connected_in_booking`: an answered on-demand call becomes connected; any other booking is
left alone). When a call's room empties and nobody comes back within the service's grace for a
dropped connection, the system ends it (`end_deserted`: a live on-demand call ends as a hang-up
would; a scheduled session keeps its own lifecycle). A node that stops ends nothing, nor one whose
room another node now hosts: its pages reconnect elsewhere, and the call goes on there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from rris.enums import CallRole
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.services.answering import connected_in_booking, end_deserted
from rris.timeutil import Clock
from signaling.protocol import peer_named
from signaling.records import CallRecorder
from signaling.rooms import Connection, Room

logger = logging.getLogger("signaling.ondemand_calls")

BOTH_SIDES = frozenset({CallRole.OFFICER, CallRole.INTERPRETER})


class OnDemandCalls:
    """Watches the rooms for the connected and deserted moments of on-demand calls."""

    def __init__(self, recorder: CallRecorder, clock: Clock, policy: OnDemandPolicy, grace_seconds: float) -> None:
        self.recorder = recorder
        self.clock = clock
        self.policy = policy
        self.grace_seconds = grace_seconds
        self._reported: set[int] = set()  # bookings whose two sides were reported in
        self._deserted: dict[int, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def state(self, room: Room, connection: Connection, peer: str, state: str) -> None:
        """A page reported its connection to `peer`; the first officer-interpreter "connected" counts."""
        if state != "connected" or room.booking_id in self._reported:
            return
        named = peer_named(peer)
        other = None if named is None else room.connections.get(named)
        if other is None or {connection.ticket.role, other.ticket.role} != BOTH_SIDES:
            return
        self._reported.add(room.booking_id)
        self._run(connected_in_booking, room.booking_id, self.clock.now())

    def entered(self, room: Room) -> None:
        """Someone is in the room: it is not deserted."""
        timer = self._deserted.pop(room.booking_id, None)
        if timer is not None:
            timer.cancel()

    def emptied(self, room: Room) -> None:
        """Nobody is left in the room: unless someone comes back within the grace, the call is over."""
        if room.booking_id in self._deserted:
            return
        booking_id = room.booking_id
        self._deserted[booking_id] = asyncio.get_running_loop().call_later(self.grace_seconds, self._desert, booking_id)

    def _desert(self, booking_id: int) -> None:
        self._deserted.pop(booking_id, None)
        self._reported.discard(booking_id)
        self._run(end_deserted, booking_id, self.clock.now(), self.policy)

    def _run(self, function: Callable[..., Any], *args: Any) -> None:
        task = asyncio.ensure_future(self._call(function, *args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _call(self, function: Callable[..., Any], *args: Any) -> None:
        try:
            await self.recorder.call(function, *args)
        except Exception:
            logger.exception("on-demand call: %s%r failed", function.__name__, args)

    async def shutdown(self) -> None:
        """Stop the grace timers (the calls are not deserted: their pages reconnect elsewhere)."""
        for timer in self._deserted.values():
            timer.cancel()
        self._deserted.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
