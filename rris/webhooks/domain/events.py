"""Which booking changes a case system is told of, and what the message about one says.

A payload carries what the department's own case system already knows or needs to file the
change: the booking's id and code, the department's case reference, state, times in UTC, the language
pair, the modality and, once completed, the minutes interpreted. Never the applicant's data
(no name, no identifier, no key, no notes) and nothing about the interpreter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from rris.enums import BookingState, Modality, SessionKind


class WebhookEventType(StrEnum):
    """A change of a booking that endpoints may subscribe to."""

    CONFIRMED = "booking.confirmed"
    RESCHEDULED = "booking.rescheduled"
    CANCELLED = "booking.cancelled"
    COMPLETED = "booking.completed"


class DeliveryState(StrEnum):
    """Where the delivery of one event to one endpoint stands."""

    PENDING = "pending"  # due at `due_at` (first try or a retry)
    SENDING = "sending"  # claimed by a worker; back to pending if that worker died
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed, or the endpoint was disabled meanwhile


RESCHEDULE_ACTION = "reschedule"


def event_type_for(action: str, before: BookingState | None, after: BookingState | None) -> WebhookEventType | None:
    """The event a booking history line stands for, or None when case systems are not told of it."""
    if action == RESCHEDULE_ACTION:
        return WebhookEventType.RESCHEDULED
    if after is None or after is before:
        return None
    return {
        BookingState.CONFIRMED: WebhookEventType.CONFIRMED,
        BookingState.CANCELLED: WebhookEventType.CANCELLED,
        BookingState.COMPLETED: WebhookEventType.COMPLETED,
    }.get(after)


def utc_text(instant: datetime) -> str:
    """An instant as ISO 8601 in UTC with a Z, to the second."""
    return instant.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class BookingChange(BaseModel):
    """The booking as it stands after the change (the `data` of a webhook)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    booking_id: int = Field(description="The booking's id in the API: GET /api/v1/bookings/{booking_id}")
    booking_code: str = Field(description="The booking's RRIS code, as on its page")
    case_reference: str = Field(description="The department's own case reference")
    department_id: int = Field(description="The department the booking belongs to")
    state: BookingState
    starts_at: str = Field(description="Start, UTC, ISO 8601")
    ends_at: str = Field(description="End, UTC, ISO 8601")
    applicant_language: str = Field(description="ISO 639-3 code of the applicant's language")
    officer_language: str = Field(description="ISO 639-3 code of the language the officer speaks")
    session_kind: SessionKind
    modality: Modality
    minutes_interpreted: int | None = Field(
        default=None, description="For booking.completed: the minutes billed (the call's, else the booked time)"
    )


class BookingWebhook(BaseModel):
    """The body RRIS POSTs, as the Standard Webhooks specification recommends: type, timestamp, data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: WebhookEventType
    timestamp: str = Field(description="When the change happened, UTC, ISO 8601")
    data: BookingChange


def payload_json(event_type: WebhookEventType, occurred_at: datetime, change: BookingChange) -> str:
    """The exact body of every delivery of the event (the same bytes on each retry)."""
    message = BookingWebhook(type=event_type, timestamp=utc_text(occurred_at), data=change)
    return message.model_dump_json(exclude_none=True)
