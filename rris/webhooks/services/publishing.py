"""Booking changes become webhook events, inside the transaction that makes the change.

`publish_booking_change` is called by `rris.bookings.services.booking_events.record_event`, the
one place every booking change is written; the event and one delivery per subscribed endpoint
are added to the caller's transaction, so the change and its webhooks commit together or not at
all: a crash can lose neither. The delivery worker (`rris.webhooks.services.delivery`) sends them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from rris.bookings.models.bookings import Booking
from rris.enums import BookingState
from rris.extensions import db
from rris.webhooks.domain.events import (
    BookingChange,
    DeliveryState,
    WebhookEventType,
    event_type_for,
    payload_json,
    utc_text,
)
from rris.webhooks.models.webhooks import WebhookDelivery, WebhookEvent
from rris.webhooks.queries.endpoints import minutes_interpreted, subscribed_endpoints

MESSAGE_ID_PREFIX = "msg_"


def publish_booking_change(
    booking: Booking, action: str, before: BookingState | None, after: BookingState | None, now: datetime
) -> WebhookEvent | None:
    """Queue the webhook a booking history line stands for, if any endpoint wants it; the caller commits."""
    event_type = event_type_for(action, before, after)
    if event_type is None:
        return None
    endpoints = subscribed_endpoints(booking.department_id, event_type)
    if not endpoints:
        return None
    event = WebhookEvent(
        message_id=MESSAGE_ID_PREFIX + uuid.uuid4().hex,
        booking_id=booking.id,
        event_type=event_type,
        occurred_at=now,
        payload=payload_json(event_type, now, booking_change(booking, event_type)),
    )
    db.session.add(event)
    for endpoint in endpoints:
        db.session.add(
            WebhookDelivery(event=event, endpoint=endpoint, state=DeliveryState.PENDING, due_at=now, attempts=0)
        )
    return event


def booking_change(booking: Booking, event_type: WebhookEventType) -> BookingChange:
    """The booking's facts a case system is told (no applicant data, nothing about the interpreter)."""
    completed = event_type is WebhookEventType.COMPLETED
    return BookingChange(
        booking_id=booking.id,
        booking_code=booking.code,
        case_reference=booking.case_reference,
        department_id=booking.department_id,
        state=booking.state,
        starts_at=utc_text(booking.starts_at),
        ends_at=utc_text(booking.ends_at),
        applicant_language=booking.applicant_language,
        officer_language=booking.officer_language,
        session_kind=booking.session_kind,
        modality=booking.modality,
        minutes_interpreted=minutes_interpreted(booking) if completed else None,
    )
