"""A booking read back whole after a use case committed it, for the answer to the request."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from rris.bookings.models.bookings import Assignment, Booking
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile


def booking_with_details(booking_id: int) -> Booking:
    """The booking with its department, country, specialisations, assignments (and who holds them)
    and offers, in one query instead of one per relationship as the answer touches them."""
    statement = (
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.department),
            joinedload(Booking.country),
            joinedload(Booking.specialisations),
            joinedload(Booking.assignments).joinedload(Assignment.interpreter).joinedload(InterpreterProfile.user),
            joinedload(Booking.offers),
        )
    )
    return db.session.scalars(statement).unique().one()
