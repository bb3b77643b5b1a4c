"""Rooms for the call benchmarks: real bookings of a generated pool, and join tickets for them.

The tickets are signed with the app's secret exactly as the portal signs them, but for synthetic
rooms (`bench-<n>`), so no booking needs a call room of its own. Each room is a real booking
with its caseworker as the officer and the interpreter who holds the job, so the service's roster
admits both and its records are written, not skipped as joins for unknown bookings.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import aioice.ice
from sqlalchemy import func, select

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket
from rris.calls.models.calls import CallAttendance
from rris.enums import BookingState, CallRole, Role
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile
from tests.support.aiortc_loopback import loopback_host_addresses

TICKET_LEAD = timedelta(minutes=1)  # tickets open a minute before they are made, against clock skew
TICKET_SPAN = timedelta(hours=2)  # ... and outlast any benchmark run


@dataclass(frozen=True)
class BenchRoom:
    """One call: a real booking, and its officer's and interpreter's user ids."""

    name: str
    booking_id: int
    officer_user_id: int
    interpreter_user_id: int

    @property
    def officer(self) -> str:
        """The officer's id in the call (the protocol's PEER id)."""
        return Participant.user(self.officer_user_id).encode()

    @property
    def interpreter(self) -> str:
        """The interpreter's id in the call."""
        return Participant.user(self.interpreter_user_id).encode()

    @property
    def interpreter_phone(self) -> str:
        """The id of the interpreter's phone in the call."""
        return Participant.user(self.interpreter_user_id).phone().encode()

    def tickets(self, secret: str, now: datetime) -> tuple[str, str]:
        """Signed join tickets (officer, interpreter), valid from just before `now` for two hours."""
        return (
            self._ticket(Participant.user(self.officer_user_id), CallRole.OFFICER, secret, now),
            self._ticket(Participant.user(self.interpreter_user_id), CallRole.INTERPRETER, secret, now),
        )

    def _ticket(self, participant: Participant, role: CallRole, secret: str, now: datetime) -> str:
        ticket = CallTicket(
            room=self.name,
            booking_id=self.booking_id,
            participant=participant,
            role=role,
            display_name=f"Bench {role.value} {participant}",
            not_before=now - TICKET_LEAD,
            expires_at=now + TICKET_SPAN,
            nonce=secrets.token_urlsafe(12),
        )
        return sign_ticket(ticket, secret)


def pool_rooms(count: int, prefix: str) -> list[BenchRoom]:
    """`count` rooms on distinct bookings of the current database that an interpreter holds and
    whose author is still an officer of their department: people the call's roster admits."""
    statement = (
        select(Booking.id, Booking.created_by_id, func.min(InterpreterProfile.user_id))
        .join(Assignment, Assignment.booking_id == Booking.id)
        .join(InterpreterProfile, InterpreterProfile.id == Assignment.interpreter_id)
        .join(User, User.id == Booking.created_by_id)
        .where(
            Assignment.released_at.is_(None),
            Booking.state != BookingState.CANCELLED,
            User.role == Role.CASEWORKER,
            User.department_id == Booking.department_id,
            User.active.is_(True),
        )
        .group_by(Booking.id, Booking.created_by_id)
        .order_by(Booking.id)
        .limit(count)
    )
    rows = db.session.execute(statement).all()
    if len(rows) < count:
        raise RuntimeError(f"the pool has {len(rows)} bookings with an interpreter; {count} rooms need as many")
    return [
        BenchRoom(f"bench-{prefix}-{n:04d}", booking_id, officer, interpreter)
        for n, (booking_id, officer, interpreter) in enumerate(rows)
    ]


def attendance_counts() -> tuple[int, int]:
    """(attendances recorded, of which closed) in the current database."""
    total = db.session.scalar(select(func.count()).select_from(CallAttendance)) or 0
    closed = db.session.scalar(select(func.count()).where(CallAttendance.left_at.is_not(None))) or 0
    return total, closed


@contextmanager
def loopback_ice() -> Iterator[None]:
    """While open, aioice offers 127.0.0.1 as the only host candidate: peer traffic stays on loopback."""
    original = aioice.ice.get_host_addresses
    aioice.ice.get_host_addresses = loopback_host_addresses
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = original
