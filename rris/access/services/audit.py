"""The audit of who read which booking's details, kept in the audit trail."""

from __future__ import annotations

from datetime import datetime

from rris.access.domain.permissions import Actor
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit
from rris.bookings.models.bookings import Booking
from rris.common.services.transactions import begin_write
from rris.extensions import db

BOOKING_READ = "booking.read"


def record_booking_read(booking: Booking, actor: Actor, channel: str, origin: str | None, now: datetime) -> None:
    """Note that `actor` opened the booking's details through `channel` ("page" or "api") from `origin`."""
    event = AuditEvent(
        BOOKING_READ, "booking", str(booking.id), country_id=booking.country_id, details={"channel": channel}
    )
    begin_write()
    record_audit(event, actor, origin, now)
    db.session.commit()
