"""Who was present in a session's call, and for how long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.enums import CallRole
from rris.extensions import db
from rris.models.accounts import User
from rris.models.bookings import Booking
from rris.models.types import UTCDateTime, enum_type


class CallAttendance(db.Model):
    """One stretch of one participant in a booking's call: from joining to leaving."""

    __tablename__ = "call_attendances"
    __table_args__ = (Index("ix_call_attendances_booking_joined", "booking_id", "joined_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[CallRole] = mapped_column(enum_type(CallRole))
    channel: Mapped[str] = mapped_column(String(8), default="browser")  # "browser" or "phone"
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booking: Mapped[Booking] = relationship()
    user: Mapped[User | None] = relationship()
