"""The audit trail of who read which booking's details."""

from __future__ import annotations

from datetime import datetime

from rris.access.domain.permissions import Actor
from rris.bookings.models.bookings import BookingRead
from rris.common.services.transactions import begin_write
from rris.extensions import db


def record_booking_read(booking_id: int, actor: Actor, channel: str, now: datetime) -> None:
    """Note that `actor` opened the booking's details through `channel` ("page" or "api")."""
    begin_write()
    db.session.add(BookingRead(booking_id=booking_id, user_id=actor.user_id, at=now, channel=channel))
    db.session.commit()
