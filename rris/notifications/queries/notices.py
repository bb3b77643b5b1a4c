"""Reading a booking's open conflicts, its participants and the messages sent about it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.models.notifications import Notification


def participants(booking: Booking) -> list[User]:
    """The people in the session: the caseworker who booked it and the interpreters holding a leg."""
    people = [booking.created_by]
    people += [assignment.interpreter.user for assignment in booking.active_assignments]
    return people


def open_conflicts(booking_id: int) -> list[BookingConflict]:
    """The booking's unresolved conflicts, oldest first."""
    return list(
        db.session.scalars(
            select(BookingConflict)
            .where(BookingConflict.booking_id == booking_id, BookingConflict.resolved_at.is_(None))
            .options(selectinload(BookingConflict.interpreter))
            .order_by(BookingConflict.id)
        )
    )


def booking_messages(booking_id: int) -> list[Notification]:
    """Every message about the booking, sent, waiting or not sent, in the order they fall due."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.booking_id == booking_id)
            .options(selectinload(Notification.recipient))
            .order_by(Notification.due_at, Notification.id)
        )
    )
