"""Retention: call records, notes to the interpreter and old messages are purged after
RRIS_RETENTION_DAYS, phone verification codes a day after they expire; phone legs keep only
their modality, status and duration. What billing and reports need (the booking, its
assignments, history, outcome and the call summary) stays."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from rris.enums import NotificationState
from rris.extensions import db
from rris.models import Booking, CallAttendance, Notification, PhoneLeg, PhoneVerification
from rris.services.call_records import summarise_before_purge
from rris.services.transactions import begin_write

log = logging.getLogger(__name__)

# Verification codes live ten minutes; a day later they only show who asked when.
PHONE_CODES_KEPT = timedelta(days=1)
_FINISHED = (
    NotificationState.SENT,
    NotificationState.SKIPPED,
    NotificationState.FAILED,
    NotificationState.UNCERTAIN,
)


@dataclass(frozen=True)
class PurgeReport:
    """How many records each purge removed or blanked."""

    call_records: int
    notes: int
    messages: int
    phone_codes: int = 0


def purge_expired(now: datetime, retention_days: int) -> PurgeReport:
    """Remove what is older than the retention period; sessions count from their end."""
    cutoff = now - timedelta(days=retention_days)
    ended_before = select(Booking.id).where(Booking.ends_at < cutoff)
    begin_write()
    # The delivered time outlives the attendances it is computed from (their state changes cascade).
    summarise_before_purge(ended_before, now)
    calls = db.session.execute(delete(CallAttendance).where(CallAttendance.booking_id.in_(ended_before)))
    # Phone legs stay for the reports (modality, duration) but lose who and which number.
    db.session.execute(
        update(PhoneLeg)
        .where(PhoneLeg.booking_id.in_(ended_before), PhoneLeg.number_tail != "")
        .values(number_tail="", display_name="", user_id=None, person_participant=None)
    )
    notes = db.session.execute(
        update(Booking).where(Booking.ends_at < cutoff, Booking.notes.isnot(None)).values(notes=None)
    )
    messages = db.session.execute(
        delete(Notification).where(Notification.state.in_(_FINISHED), Notification.created_at < cutoff)
    )
    codes = db.session.execute(delete(PhoneVerification).where(PhoneVerification.expires_at < now - PHONE_CODES_KEPT))
    db.session.commit()
    report = PurgeReport(calls.rowcount, notes.rowcount, messages.rowcount, codes.rowcount)
    if report.call_records or report.notes or report.messages or report.phone_codes:
        log.info("retention: purged %s", report)
    return report
