"""Telephone legs as the signalling service sees them: call pages ask for a phone or hang it up,
and each leg's media stream tells the core when it starts and stops.

Everything that reaches the database or Twilio (`rris.phone.services.phone_legs`) runs in the call
records' worker thread inside the Flask app's context (`CallRecorder.call`), never on the event
loop: placing a call is a REST request to Twilio. A slow Twilio delays the records a little,
which they allow; one writing thread keeps SQLite's single writer uncontended. The answers go
back to the page that asked, as {"type": "phone", ...} frames.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket
from rris.phone.services import phone_legs
from rris.phone.services.phone_guard import PhoneRefused, PhoneSetup
from rris.timeutil import Clock
from signaling.protocol import Close
from signaling.records import CallRecorder
from signaling.rooms import Connection, Room

logger = logging.getLogger("signaling.phone")

HUNG_UP = "hung_up"  # the end reason of a leg hung up from its person's call page


class PhoneDesk:
    """Runs the core's phone-leg operations for the call service and answers the pages."""

    def __init__(self, recorder: CallRecorder, clock: Clock, setup: PhoneSetup) -> None:
        self._run = recorder.call
        self._clock = clock
        self._setup = setup
        self._asking: set[tuple[str, Participant]] = set()  # (room, person) with a request still running
        self._tasks: set[asyncio.Future[Any]] = set()

    def request(self, room: Room, connection: Connection, action: str) -> None:
        """{"type": "phone", "action": ...} from a page: handled in the background, answered later."""
        work = self._call if action == "call" else self._hang_up
        task = asyncio.ensure_future(work(room, connection.participant))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def leg_ended(self, room: Room, leg: Connection) -> None:
        """A leg left the room: tell its person's page, unless that page hung it up itself."""
        person = leg.participant.person()
        if person is not None and leg.end_reason != HUNG_UP:
            await _tell(room, person, state="ended", message="Your phone call has ended.")

    def removed(self, room: Room, connection: Connection) -> None:
        """Someone no longer takes part (`signaling.roster`): hang up their phone, ringing or in the
        call, or the leg that is this connection; in the background."""
        task = asyncio.ensure_future(self._end_leg_of(room, connection))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stream_started(self, ticket: CallTicket) -> bool:
        """The core notes that the leg's stream arrived; False when the leg is over (or unknown),
        and then the stream must not join. A phone ticket not made for a leg has nothing to note."""
        leg_id = phone_legs.phone_leg_id(ticket)
        if leg_id is None:
            return True
        try:
            return await self._run(phone_legs.stream_started, leg_id, self._clock.now())
        except Exception:
            logger.exception("phone leg %s: could not note its start; letting it in", leg_id)
            return True

    async def stream_stopped(self, ticket: CallTicket) -> None:
        """The core notes that the leg's stream ended (a simulated leg ends with it)."""
        leg_id = phone_legs.phone_leg_id(ticket)
        if leg_id is None:
            return
        try:
            await self._run(phone_legs.stream_stopped, leg_id, self._clock.now())
        except Exception:
            logger.exception("phone leg %s: could not note its end", leg_id)

    async def close(self) -> None:
        """Finish the requests under way."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _call(self, room: Room, person: Participant) -> None:
        key = (room.id, person)
        if key in self._asking:
            await _tell(room, person, state="refused", code="busy", message="Your phone is being called already.")
            return
        self._asking.add(key)
        try:
            now = self._clock.now()
            dial = await self._run(phone_legs.request_dial_out, room.booking_id, person, now, self._setup)
        except PhoneRefused as refused:
            await _tell(room, person, state="refused", code=refused.code, message=refused.message)
            return
        except Exception:
            logger.exception("call %s: could not ring the phone of %s", room.booking_id, person)
            await _tell(
                room, person, state="refused", code="unavailable", message="Your phone cannot be called just now."
            )
            return
        finally:
            self._asking.discard(key)
        ringing = f"Calling your phone ending {dial.number_tail}…" if dial.number_tail else "Calling your phone…"
        await _tell(room, person, state="dialing", message=ringing, simulator_url=dial.simulator_url)

    async def _hang_up(self, room: Room, person: Participant) -> None:
        """Hang up the person's phone: its bridge leaves at once, and the core ends the leg (at
        Twilio for a real call; a phone still ringing stops ringing)."""
        leg = room.connections.get(person.phone()) if person.user_id is not None else None  # guests have none
        if leg is not None:
            leg.end_reason = HUNG_UP
            await leg.socket.close(code=Close.NORMAL, message=HUNG_UP.encode())
        try:
            leg_id = await self._run(phone_legs.live_leg_id, room.booking_id, person, self._clock.now())
            if leg_id is not None:
                await self._run(phone_legs.hang_up, leg_id, self._clock.now())
        except PhoneRefused as refused:
            # The bridge has left already; Twilio ends a call whose stream is closed by itself.
            logger.warning("call %s: hanging up the phone of %s: %s", room.booking_id, person, refused.code)
        except Exception:
            logger.exception("call %s: could not hang up the phone of %s", room.booking_id, person)
        await _tell(room, person, state="ended", message="Your phone was hung up.")


    async def _end_leg_of(self, room: Room, connection: Connection) -> None:
        participant, booking_id = connection.participant, room.booking_id
        try:
            leg_id = phone_legs.phone_leg_id(connection.ticket)
            if leg_id is None:  # a page: its person's phone, if one rings or is in the call
                leg_id = await self._run(phone_legs.live_leg_id, booking_id, participant, self._clock.now())
            if leg_id is not None and await self._run(phone_legs.hang_up, leg_id, self._clock.now()):
                logger.info("call %s: hung up leg %s of %s, who no longer takes part", booking_id, leg_id, participant)
        except Exception:
            logger.exception("call %s: could not hang up the phone of %s", booking_id, participant)


async def _tell(room: Room, person: Participant, **fields: Any) -> None:
    """A {"type": "phone"} frame to the person's call page, if it is in the call."""
    page = room.connections.get(person)
    if page is not None:
        await page.send("phone", **fields)
