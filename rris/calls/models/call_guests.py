"""People outside RRIS invited into one session's call by link: a legal adviser or a guardian."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.common.models.types import UTCDateTime, enum_type
from rris.enums import GuestKind
from rris.extensions import Model


class CallGuest(Model):
    """One invitation link; only a digest of its secret is kept, so the link is shown once."""

    __tablename__ = "call_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[GuestKind] = mapped_column(enum_type(GuestKind))
    display_name: Mapped[str] = mapped_column(String(80))
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booking: Mapped[Booking] = relationship()
    invited_by: Mapped[User | None] = relationship()
