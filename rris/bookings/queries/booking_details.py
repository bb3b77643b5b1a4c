"""A booking read back whole after a use case committed it, for the answer to the request."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from rris.bookings.models.bookings import Assignment, Booking
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile


def booking_with_details(booking: Booking) -> Booking:
    """The booking (as a use case committed it) with its department, country, specialisations,
    assignments (and who holds them) and offers, in one query instead of one per relationship as
    the answer touches them.

    Its id is taken from the session's identity key: `booking.id` on an object the commit expired
    would first read the booking's row again, a round trip whose answer this query brings anyway.
    """
    identity = inspect(booking).identity
    assert identity is not None, "a stored booking"
    statement = (
        select(Booking)
        .where(Booking.id == identity[0])
        .options(
            joinedload(Booking.department),
            joinedload(Booking.country),
            joinedload(Booking.specialisations),
            joinedload(Booking.assignments).joinedload(Assignment.interpreter).joinedload(InterpreterProfile.user),
            joinedload(Booking.offers),
        )
    )
    return db.session.scalars(statement).unique().one()
