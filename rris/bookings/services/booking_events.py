"""The history of a booking: one line per thing that happened.

Every change of a booking passes here, so this is also where the change is published to the
department's webhook endpoints, in the same transaction (`rris.webhooks.services.publishing`)."""

from __future__ import annotations

from datetime import datetime

from rris.bookings.models.bookings import Booking, BookingEvent
from rris.enums import BookingState
from rris.extensions import db
from rris.webhooks.services.publishing import publish_booking_change


def record_event(
    booking: Booking,
    action: str,
    now: datetime,
    actor_id: int | None,
    from_state: BookingState | None = None,
    to_state: BookingState | None = None,
    note: str | None = None,
) -> BookingEvent:
    """Append a history line (and queue its webhooks); the caller commits."""
    event = BookingEvent(
        booking=booking, at=now, actor_id=actor_id, action=action, from_state=from_state, to_state=to_state, note=note
    )
    db.session.add(event)
    publish_booking_change(booking, action, from_state, to_state, now)
    return event
