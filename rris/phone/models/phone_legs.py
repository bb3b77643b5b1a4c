"""Telephone legs of a call: a participant rung on their verified phone, or a caller who dialled in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.common.models.types import UTCDateTime, enum_type
from rris.enums import CallRole, PhoneDirection, PhoneLegStatus
from rris.extensions import Model


class PhoneLeg(Model):
    """One telephone call bridged into a booking's call. Only the last four digits of the
    number are kept: the full number stays on the person's account (or with the caller)."""

    __tablename__ = "phone_legs"
    __table_args__ = (Index("ix_phone_legs_booking_requested", "booking_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    # The leg's own participant in the call: "phone-user-7", or "phone-dialin-<id>" for a caller.
    participant: Mapped[str] = mapped_column(String(40))
    # The person the phone stands in for ("user-7"); None for a caller who dialled in.
    person_participant: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # As the others see the leg in the call: "Mariam Ahmadzai (phone)", "Caller ending 1234".
    role: Mapped[CallRole] = mapped_column(enum_type(CallRole))
    display_name: Mapped[str] = mapped_column(String(80))
    direction: Mapped[PhoneDirection] = mapped_column(enum_type(PhoneDirection))
    number_tail: Mapped[str] = mapped_column(String(4))
    # Twilio's id of the call; None until Twilio accepted it, and always for simulated legs.
    call_sid: Mapped[str | None] = mapped_column(String(40), unique=True)
    status: Mapped[PhoneLegStatus] = mapped_column(enum_type(PhoneLegStatus))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_seconds: Mapped[int | None]
    # Played by the simulator page instead of a real phone (no Twilio account configured).
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)

    booking: Mapped[Booking] = relationship()
    user: Mapped[User | None] = relationship()


class PhoneLegEvent(Model):
    """A status a leg reached, recorded once: a replayed or repeated Twilio callback finds it taken."""

    __tablename__ = "phone_leg_events"
    __table_args__ = (UniqueConstraint("leg_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("phone_legs.id", ondelete="CASCADE"))
    status: Mapped[PhoneLegStatus] = mapped_column(enum_type(PhoneLegStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class DialInFailure(Model):
    """A wrong PIN typed on the dial-in line; counted per caller (a keyed digest of their
    number, never the number itself) and overall, to throttle guessing."""

    __tablename__ = "dial_in_failures"
    __table_args__ = (Index("ix_dial_in_failures_caller_at", "caller_digest", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
