"""A confirmed booking with its call open, and tickets for it from the portal's own service."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.context import current_settings
from rris.domain.call_tickets import CallTicket, sign_ticket, valid_span
from rris.enums import CallRole
from rris.extensions import db
from rris.models import CallAttendance
from rris.queries.actors import actor_of
from rris.services.call_access import issue_join_ticket
from tests import factories
from tests.services.test_outbox import SESSION_START, confirmed

OPEN = SESSION_START - timedelta(minutes=15)


def open_call(clock):
    """(booking, caseworker, interpreter user) for Wednesday 09:00 Belgrade, the clock at the opening."""
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
    mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
    booking = confirmed(jelena, mariam)
    clock.set(OPEN)
    return booking, jelena, mariam.user


def token(booking, user, clock) -> str:
    """The join ticket the portal issues to `user` now."""
    return issue_join_ticket(booking.id, actor_of(user), user, clock.now())[1]


def guest_token(booking, name: str, guest_id: int = 1) -> str:
    """A ticket for a guest (legal adviser, guardian) of the booking's call, signed as the portal does."""
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    ticket = CallTicket(
        room=booking.call_room,
        booking_id=booking.id,
        participant=f"guest-{guest_id}",
        role=CallRole.GUEST,
        display_name=name,
        not_before=opens,
        expires_at=closes,
        nonce=f"guest-nonce-{guest_id}",
    )
    return sign_ticket(ticket, current_settings().secret_key)


def attendances(booking) -> list[CallAttendance]:
    """The booking's call records, freshly read."""
    db.session.expire_all()
    statement = select(CallAttendance).where(CallAttendance.booking_id == booking.id).order_by(CallAttendance.id)
    return list(db.session.scalars(statement))
