"""Webhook endpoints and their outbox: one event row per booking change, one delivery row per
(event, endpoint), written in the booking change's own transaction, and one row per attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.common.models.types import UTCDateTime, enum_type
from rris.extensions import Model
from rris.pool.models.geography import Department
from rris.webhooks.domain.addresses import URL_MAX_CHARS
from rris.webhooks.domain.events import DeliveryState, WebhookEventType
from rris.webhooks.domain.signing_keys import SECRET_MAX_CHARS

DESCRIPTION_MAX_CHARS = 200
OUTCOME_MAX_CHARS = 300


class WebhookEndpoint(Model):
    """A URL of a department's case system and the booking events it is sent.

    The secret signs every message. After a rotation the previous one signs too until
    `previous_secret_until`, so the receiver can switch without losing a message.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(URL_MAX_CHARS))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX_CHARS), default="")
    events: Mapped[str] = mapped_column(String(200))  # event types separated by spaces
    secret: Mapped[str] = mapped_column(String(SECRET_MAX_CHARS))
    previous_secret: Mapped[str | None] = mapped_column(String(SECRET_MAX_CHARS))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(OUTCOME_MAX_CHARS))

    department: Mapped[Department] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def event_types(self) -> frozenset[WebhookEventType]:
        """The events this endpoint is sent."""
        return frozenset(WebhookEventType(value) for value in self.events.split())


class WebhookEvent(Model):
    """One booking change to tell; `message_id` is its `webhook-id` on every try to every endpoint."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[WebhookEventType] = mapped_column(enum_type(WebhookEventType))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[str] = mapped_column(Text)  # the exact body, fixed when the change happened


class WebhookDelivery(Model):
    """The event on its way to one endpoint: due at `due_at`, claimed, then delivered or failed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        Index("ix_webhook_deliveries_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    state: Mapped[DeliveryState] = mapped_column(enum_type(DeliveryState), default=DeliveryState.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[WebhookEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(Model):
    """One POST: when, what came back (a status or an error), how long it took, when the next is due."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    error: Mapped[str | None] = mapped_column(String(OUTCOME_MAX_CHARS))
    duration_ms: Mapped[int] = mapped_column(Integer)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    delivery: Mapped[WebhookDelivery] = relationship()
