"""The no-show check: ten minutes into a session, are both sides in the call?"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, select

from rris.bookings.models.bookings import Booking
from rris.bookings.services.booking_events import record_event
from rris.calls.models.calls import CallAttendance
from rris.common.services.transactions import begin_write, lock_booking
from rris.enums import CallRole, NotificationKind
from rris.extensions import db
from rris.notifications.domain.notices import LIVE_STATES, NO_SHOW_AFTER
from rris.notifications.models.notifications import Notification
from rris.notifications.services.notifications import tell_caseworker_and_coordinators


def sides_present(booking_id: int) -> set[CallRole]:
    """The sides (officer, interpreter) that joined the booking's call at least once."""
    statement = select(CallAttendance.role).where(CallAttendance.booking_id == booking_id).distinct()
    return set(db.session.scalars(statement))


def check_no_shows(now: datetime) -> int:
    """Tell the caseworker and coordinators about sessions where, 10 minutes in, a side is missing.

    Each booking is checked once per version; a session already over is not worth a message.
    Returns how many bookings were reported.
    """
    already = exists().where(
        Notification.booking_id == Booking.id,
        Notification.kind == NotificationKind.NO_SHOW,
        Notification.version == Booking.version,
    )
    due = list(
        db.session.scalars(
            select(Booking.id).where(
                Booking.state.in_(LIVE_STATES),
                Booking.starts_at <= now - NO_SHOW_AFTER,
                Booking.ends_at > now,
                ~already,
            )
        )
    )
    db.session.commit()
    reported = 0
    for booking_id in due:
        begin_write()
        booking = lock_booking(booking_id)
        missing = {CallRole.OFFICER, CallRole.INTERPRETER} - sides_present(booking.id)
        if booking.state in LIVE_STATES and missing:
            who = {
                CallRole.OFFICER: _("the officer"),
                CallRole.INTERPRETER: _("the interpreter"),
            }
            note = _("Ten minutes in, not joined: %(who)s.", who=", ".join(str(who[role]) for role in sorted(missing)))
            record_event(booking, "no_show_check", now, None, note=note)
            tell_caseworker_and_coordinators(booking, NotificationKind.NO_SHOW, booking.version, now, booking.ends_at)
            reported += 1
        db.session.commit()
    return reported
