"""The history of a booking: one line per thing that happened."""

from __future__ import annotations

from datetime import datetime

from rris.bookings.models.bookings import Booking, BookingEvent
from rris.enums import BookingState
from rris.extensions import db


def record_event(
    booking: Booking,
    action: str,
    now: datetime,
    actor_id: int | None,
    from_state: BookingState | None = None,
    to_state: BookingState | None = None,
    note: str | None = None,
) -> BookingEvent:
    """Append a history line; the caller commits."""
    event = BookingEvent(
        booking=booking, at=now, actor_id=actor_id, action=action, from_state=from_state, to_state=to_state, note=note
    )
    db.session.add(event)
    return event
