"""Who was present in a session's call, for how long, how well connected, and the delivered time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.common.models.types import UTCDateTime, enum_type
from rris.enums import CallRole
from rris.extensions import Model


class CallAttendance(Model):
    """One stretch of one participant in a booking's call: one signalling connection, from
    joining to leaving, with a summary of its connection quality."""

    __tablename__ = "call_attendances"
    __table_args__ = (Index("ix_call_attendances_booking_joined", "booking_id", "joined_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[CallRole] = mapped_column(enum_type(CallRole))
    channel: Mapped[str] = mapped_column(String(8), default="browser")  # "browser" or "phone"
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The ticket's "user-7" / "guest-3" and name shown in the call; None on rows from before 0007.
    participant: Mapped[str | None] = mapped_column(String(40))
    display_name: Mapped[str | None] = mapped_column(String(80))
    # The signalling service's id of the WebSocket connection: makes its events idempotent.
    connection_id: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    left_reason: Mapped[str | None] = mapped_column(String(24))  # "left", "gone", "service_restart", ...
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quality_samples: Mapped[int] = mapped_column(default=0, server_default="0")
    rtt_ms_mean: Mapped[float | None] = mapped_column(Float)
    rtt_ms_max: Mapped[float | None] = mapped_column(Float)
    loss_percent_mean: Mapped[float | None] = mapped_column(Float)
    loss_percent_max: Mapped[float | None] = mapped_column(Float)
    bitrate_kbps_mean: Mapped[float | None] = mapped_column(Float)
    poor_samples: Mapped[int] = mapped_column(default=0, server_default="0")

    booking: Mapped[Booking] = relationship()
    user: Mapped[User | None] = relationship()
    state_changes: Mapped[list[CallStateChange]] = relationship(
        back_populates="attendance",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CallStateChange.id",
    )


class CallStateChange(Model):
    """A change of the connection state between a participant and one peer ("connected", "failed"...)."""

    __tablename__ = "call_state_changes"
    __table_args__ = (Index("ix_call_state_changes_attendance_peer", "attendance_id", "peer", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("call_attendances.id", ondelete="CASCADE"))
    peer: Mapped[str] = mapped_column(String(40))  # the other participant, "user-9" / "guest-3" / "relay"
    state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    attendance: Mapped[CallAttendance] = relationship(back_populates="state_changes")


class CallSummary(Model):
    """A booking's call in one row: the delivered time billing and reports count.

    Recomputed from the attendances whenever one closes, and once more before retention purges
    them, so it outlives them.
    """

    __tablename__ = "call_summaries"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    # Seconds during which an officer and an interpreter were both in the call.
    delivered_seconds: Mapped[int]
    first_joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None while someone is in the call
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
