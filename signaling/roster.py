"""Who still takes part in a call: the booking's roster in the database, asked at every join and
again every few seconds for everyone connected.

A join ticket proves that the portal let its holder in when it signed it; it cannot be recalled
and it works until the call closes. The roster decides: an interpreter released or replaced, a
guest whose invitation was withdrawn, an officer whose account was deactivated or who left the
department no longer take part, and a cancelled booking has no call at all
(`rris.calls.services.call_access.check_roster`). Tickets are still checked by their signature alone,
without the database, before anything else; the roster is read through the call records'
worker thread (`CallRecorder.call`), never on the event loop, and lives only in the database, so
every signalling node reaches the same answer.

A node that has just committed an on-demand acceptance read, right after its commit and in the same
call to its database thread, the side each of its two people takes in the call
(`rris.ondemand.services.live_answers`). It vouches for
them (`vouch`): their first join on this node within the interval at which those connected are
checked again anyway (`roster_check_seconds`) is admitted on that reading, without a read of its
own queued in the node's one database thread; the next check of the room reads the roster as for
everyone. A vouch serves one join, of that person, on that side, for that booking.

When the database does not answer, the two cases are decided differently:
- a join (a new page, a reload, a page reconnecting after its socket dropped) fails closed: it
  is refused with 1013 "try again later", and the page retries with backoff, keeping its peer
  connections meanwhile. Nobody enters on a ticket the roster has not confirmed;
- people already in the call stay (fail open), however long the database is away: their media
  flows peer to peer and needs no database, and an asylum interview must not break because a
  database restarted. The risk accepted is small: taking someone off the roster is itself a
  database write, so while the database is down hardly anyone can be taken off, and the next
  check that gets an answer cuts off whoever was taken off meanwhile (a database that only
  this node cannot reach shows as a warning in the log at every check).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket
from rris.calls.services.call_access import RosterCheck, check_roster
from rris.enums import CallRole
from signaling.protocol import Close, ProtocolError
from signaling.rooms import Connection, Room

logger = logging.getLogger("signaling.roster")

_T = TypeVar("_T")


class RunInCore(Protocol):
    """`CallRecorder.call`: a core function run in the worker thread, its result awaited."""

    def __call__(self, function: Callable[..., _T], *args: Any) -> Awaitable[_T]: ...

ROSTER_CHECK_SECONDS = 5.0  # how often the connected participants of each room are checked again

REMOVED = ProtocolError(Close.REMOVED, "removed", "You no longer take part in this session.")
CANCELLED = ProtocolError(Close.CALL_OVER, "call_cancelled", "This session was cancelled.")
UNCHECKED = ProtocolError(
    Close.TRY_AGAIN, "try_again", "Your place in the call cannot be checked just now; trying again."
)


class Roster:
    """Asks the core whether tickets' holders still take part in their booking."""

    def __init__(self, run: RunInCore) -> None:
        self._run = run  # CallRecorder.call: the core function in the worker thread, in an app context
        # (booking id, participant) -> (the side read, until when on the loop's clock)
        self._vouched: dict[tuple[int, Participant], tuple[CallRole, float]] = {}

    def vouch(self, booking_id: int, sides: Mapping[int, CallRole], seconds: float) -> None:
        """These people (user id -> side) took these sides in the booking's call as this node just
        read it: admit each one's next join here within `seconds` without reading again."""
        until = asyncio.get_running_loop().time() + seconds
        for user_id, role in sides.items():
            self._vouched[(booking_id, Participant.user(user_id))] = (role, until)

    async def admit(self, ticket: CallTicket) -> None:
        """Return if the ticket's holder takes part in the booking; ProtocolError otherwise, and
        UNCHECKED when the database does not answer (joins fail closed)."""
        if self._vouched_for(ticket):
            return
        check = await self._check(ticket.booking_id, [ticket])
        if check is None:
            raise UNCHECKED
        refusal = refusal_of(check, ticket.participant)
        if refusal is not None:
            raise refusal

    def _vouched_for(self, ticket: CallTicket) -> bool:
        now = asyncio.get_running_loop().time()
        for key in [key for key, (_role, until) in self._vouched.items() if until <= now]:
            del self._vouched[key]
        vouched = self._vouched.pop((ticket.booking_id, ticket.participant), None)
        return vouched is not None and vouched[0] is ticket.role

    async def revoked(self, room: Room) -> list[tuple[Connection, ProtocolError]]:
        """The room's connections whose holders no longer take part, each with why; none when the
        database does not answer (those connected stay)."""
        connections = list(room.connections.values())
        if not connections:
            return []
        check = await self._check(room.booking_id, [c.ticket for c in connections])
        if check is None:
            return []
        found = []
        for connection in connections:
            refusal = refusal_of(check, connection.participant)
            if refusal is not None:
                found.append((connection, refusal))
        return found

    async def _check(self, booking_id: int, tickets: list[CallTicket]) -> RosterCheck | None:
        try:
            return await self._run(check_roster, booking_id, tickets)
        except Exception as failure:  # the database is away, or the core failed: see the module's rule
            logger.warning("call %s: the roster cannot be read (%s)", booking_id, failure.__class__.__name__)
            return None


def refusal_of(check: RosterCheck, participant: Participant) -> ProtocolError | None:
    """Why `participant` may not be in the call by this reading of the roster; None if they may."""
    if check.cancelled:
        return CANCELLED
    if participant not in check.admitted:
        return REMOVED
    return None
