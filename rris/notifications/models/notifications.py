"""The outbox: every message the scheduler is to send, one row per (booking, kind, recipient,
channel, version), so that a restart neither loses nor repeats one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.common.models.types import UTCDateTime, enum_type
from rris.enums import Channel, NotificationKind, NotificationState
from rris.extensions import Model


class Notification(Model):
    """A message due at `due_at`, worth sending until `useful_until`.

    `version` says which state of the booking the message is about (the booking's version for
    reminders, its calendar sequence for invitations, a conflict's id for conflict alerts): a
    second row for the same event cannot exist, whatever crashes or retries happen.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("booking_id", "kind", "recipient_id", "channel", "version", name="uq_notifications_event"),
        Index("ix_notifications_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[NotificationState] = mapped_column(enum_type(NotificationState), default=NotificationState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    useful_until: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    outcome: Mapped[str | None] = mapped_column(String(300))  # provider id when sent, the reason otherwise

    booking: Mapped[Booking] = relationship()
    recipient: Mapped[User] = relationship()
