"""The history of a booking: one line per thing that happened, each also in the audit trail.

Every change of a booking passes here, so this is also where the change is published to the
department's webhook endpoints, in the same transaction (`rris.webhooks.services.publishing`)."""

from __future__ import annotations

from datetime import datetime

from rris.accounts.models.accounts import User
from rris.audit.domain.events import AccountDoer, AuditEvent
from rris.audit.services.trail import record_audit
from rris.bookings.models.bookings import Booking, BookingEvent
from rris.context import current_origin
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
    """Append a history line, its audit entry (and queue its webhooks); the caller commits."""
    event = BookingEvent(
        booking=booking, at=now, actor_id=actor_id, action=action, from_state=from_state, to_state=to_state, note=note
    )
    db.session.add(event)
    publish_booking_change(booking, action, from_state, to_state, now)
    # The note stays out of the trail: it is free text, blanked by retention long before the trail goes.
    details = {"from": from_state.value} if from_state is not None else {}
    if to_state is not None:
        details["to"] = to_state.value
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    audit = AuditEvent(f"booking.{action}", "booking", str(booking.id), details=details, country_id=booking.country_id)
    # The account and its role are all the entry names: no need to load the rest of an Actor.
    record_audit(audit, None if actor is None else AccountDoer(actor.id, actor.role), current_origin(), now)
    return event
