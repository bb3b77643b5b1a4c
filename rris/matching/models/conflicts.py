"""Conflicts the scheduler found between a confirmed job and the interpreter's situation, and
the targeted sweeps the portal asks for when something relevant changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.bookings.models.bookings import Assignment, Booking
from rris.common.models.types import UTCDateTime, unique_while_null
from rris.extensions import Model
from rris.pool.models.interpreters import InterpreterProfile


class BookingConflict(Model):
    """A confirmed job its interpreter can no longer do (time off, accreditation, deactivation...).

    At most one open conflict per assignment and reason; it is resolved when the cause goes away,
    the job is re-offered, or the booking ends.
    """

    __tablename__ = "booking_conflicts"
    __table_args__ = (
        unique_while_null("uq_booking_conflicts_open", "assignment_id", "reason", null_column="resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id"))
    reason: Mapped[str] = mapped_column(String(40))  # a matching RejectionReason value
    # The rejection's values (JSON; dates and instants as ISO 8601 strings), worded in each
    # reader's language when shown (`rris.matching.services.conflict_wording`).
    params: Mapped[dict[str, str | int]] = mapped_column(JSON, default=dict)
    # Only for conflicts recorded before reasons were stored as codes whose English sentence the
    # migration could not read back into parameters: that sentence, shown as it is.
    legacy_detail: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  # the desk reads the open ones
    resolution: Mapped[str | None] = mapped_column(String(200))

    booking: Mapped[Booking] = relationship()
    assignment: Mapped[Assignment] = relationship()
    interpreter: Mapped[InterpreterProfile] = relationship()


class SweepRequest(Model):
    """The portal changed something about an interpreter: their confirmed jobs need a conflict check."""

    __tablename__ = "sweep_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
