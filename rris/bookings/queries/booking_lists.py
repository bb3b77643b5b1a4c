"""The booking lists people look at: upcoming, needing attention, past."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import booking_filter
from rris.bookings.domain.booking_states import FINAL_STATES
from rris.bookings.models.bookings import Booking
from rris.enums import BookingState

LISTS = ("upcoming", "attention", "past")
LIST_LIMIT = 200
_OPEN = [state for state in BookingState if state not in FINAL_STATES]


def booking_list(actor: Actor, which: str, now: datetime) -> Select[tuple[Booking]]:
    """Bookings the actor may see, for one of the LISTS."""
    statement = select(Booking).where(booking_filter(actor, now))
    if which == "attention":
        statement = statement.where(
            Booking.state.in_((BookingState.UNFILLED, BookingState.OFFERED, BookingState.REQUESTED)),
            Booking.on_demand.is_(False),  # served by its queue and rings: nothing to do by hand
            Booking.ends_at > now,
        ).order_by(Booking.starts_at)
    elif which == "past":
        statement = statement.where((Booking.ends_at <= now) | Booking.state.in_(list(FINAL_STATES))).order_by(
            Booking.starts_at.desc()
        )
    else:
        statement = statement.where(Booking.ends_at > now - timedelta(hours=1), Booking.state.in_(_OPEN)).order_by(
            Booking.starts_at
        )
    return statement.limit(LIST_LIMIT)
