"""Endpoints in the actor's reach, their delivery log, and the facts a booking's payload needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import department_filter, get_visible
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_presence import rounded_minutes
from rris.calls.models.calls import CallSummary
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.reports.domain.billing import billable
from rris.webhooks.domain.events import DeliveryState, WebhookEventType
from rris.webhooks.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

LOG_LENGTH = 100  # attempts shown on an endpoint's page, newest first


def visible_endpoints(actor: Actor) -> Select[tuple[WebhookEndpoint]]:
    """Endpoints of the departments the actor sees, by department then URL."""
    return (
        select(WebhookEndpoint)
        .join(WebhookEndpoint.department)
        .where(department_filter(actor))
        .options(joinedload(WebhookEndpoint.department))
        .order_by(Department.name, WebhookEndpoint.url, WebhookEndpoint.id)
    )


def visible_endpoint(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint in the actor's reach, else NotVisible."""
    return get_visible(visible_endpoints(actor), WebhookEndpoint, endpoint_id)


def subscribed_endpoints(department_id: int, event_type: WebhookEventType) -> list[WebhookEndpoint]:
    """The department's active endpoints that are sent `event_type`."""
    active = select(WebhookEndpoint).where(
        WebhookEndpoint.department_id == department_id, WebhookEndpoint.active.is_(True)
    )
    # Reads only endpoints, which no booking change touches: the caller's pending changes go out in
    # its own flush rather than one more here, in the middle of every change of a booking.
    with db.session.no_autoflush:
        return [endpoint for endpoint in db.session.scalars(active) if event_type in endpoint.event_types]


@dataclass(frozen=True)
class LogLine:
    """One attempt as the endpoint's page lists it."""

    event_type: WebhookEventType
    message_id: str
    booking_code: str
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    next_retry_at: datetime | None
    delivery_state: DeliveryState


def delivery_log(endpoint_id: int, limit: int = LOG_LENGTH) -> list[LogLine]:
    """The endpoint's latest attempts, newest first."""
    rows = db.session.execute(
        select(WebhookAttempt, WebhookDelivery.state, WebhookEvent.event_type, WebhookEvent.message_id, Booking.code)
        .join(WebhookDelivery, WebhookAttempt.delivery_id == WebhookDelivery.id)
        .join(WebhookEvent, WebhookDelivery.event_id == WebhookEvent.id)
        .join(Booking, WebhookEvent.booking_id == Booking.id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
        .limit(limit)
    )
    return [
        LogLine(
            event_type=event_type,
            message_id=message_id,
            booking_code=code,
            attempted_at=attempt.attempted_at,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
            next_retry_at=attempt.next_retry_at,
            delivery_state=state,
        )
        for attempt, state, event_type, message_id, code in rows
    ]


def waiting_deliveries(endpoint_id: int) -> int:
    """Deliveries of the endpoint not yet delivered nor failed."""
    states = (DeliveryState.PENDING, DeliveryState.SENDING)
    found = db.session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state.in_(states))
    )
    return int(found or 0)


def minutes_interpreted(booking: Booking) -> int:
    """The minutes billed for a completed booking: its call's delivered time, else the booked time."""
    summary = db.session.get(CallSummary, booking.id)
    booked = int((booking.ends_at - booking.starts_at).total_seconds())
    seconds = billable(booking.state, summary is not None, summary.delivered_seconds if summary else 0, booked)
    return rounded_minutes(seconds)
