"""Sessions that take place: started at their start time, completed once their call is over.

A confirmed booking moves to "in progress" when its start time passes. An in-progress booking
moves to "completed" once its call has closed (join tickets stop working `GRACE_AFTER_END` after
the end) and nobody is left in it, when either an officer and an interpreter were in the call
together (its summary's delivered time is above zero), or the session was booked by telephone and
its call left no records at all: held outside RRIS, it counts at its booked duration. A video
session without delivered time stays in progress until the caseworker records what happened; an
outcome someone recorded is final and never touched here.

The scheduler calls both every minute. Each booking is decided under its own lock, so a person
recording an outcome at the same moment either comes first (and wins) or finds it completed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, or_, select

from rris.bookings.domain.booking_states import BookingAction, next_state
from rris.bookings.models.bookings import Booking
from rris.bookings.services.booking_events import record_event
from rris.calls.domain.call_presence import rounded_minutes
from rris.calls.domain.call_tickets import GRACE_AFTER_END
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.common.domain import formats
from rris.common.services.transactions import begin_write, lock_booking
from rris.common.services.wording import current_locale
from rris.enums import BookingState, Modality
from rris.extensions import db
from rris.notifications.services.notifications import sync_booking_notifications
from rris.phone.models.phone_legs import PhoneLeg

log = logging.getLogger(__name__)


def start_due_sessions(now: datetime) -> int:
    """Move every confirmed booking whose start time has come to in progress; returns how many. An
    answered on-demand call is not among them: it starts when its call connects (`mark_connected`)."""
    due = list(
        db.session.scalars(
            select(Booking.id)
            .where(Booking.state == BookingState.CONFIRMED, Booking.on_demand.is_(False), Booking.starts_at <= now)
            .order_by(Booking.id)
        )
    )
    db.session.commit()
    return sum(_start(booking_id, now) for booking_id in due)


def complete_finished_sessions(now: datetime) -> int:
    """Move every in-progress booking whose call is over and delivered to completed; returns how many."""
    due = list(db.session.scalars(select(Booking.id).where(*_completable(now)).order_by(Booking.id)))
    db.session.commit()
    return sum(_complete(booking_id, now) for booking_id in due)


def _start(booking_id: int, now: datetime) -> bool:
    begin_write()
    booking = lock_booking(booking_id)
    # Re-read under the lock: the booking may have been moved, cancelled or marked meanwhile.
    if booking.state is not BookingState.CONFIRMED or booking.on_demand or booking.starts_at > now:
        db.session.commit()
        return False
    before = booking.state
    booking.state = next_state(before, BookingAction.START)
    booking.updated_at = now
    record_event(booking, BookingAction.START.value, now, None, before, booking.state)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return True


def _complete(booking_id: int, now: datetime) -> bool:
    begin_write()
    booking = lock_booking(booking_id)
    # Call events lock the booking too: under its lock, who is in the call cannot change.
    still_due = db.session.scalar(select(Booking.id).where(Booking.id == booking_id, *_completable(now)))
    if still_due is None:
        db.session.commit()
        return False
    before = booking.state
    booking.state = next_state(before, BookingAction.COMPLETE)
    booking.updated_at = now
    record_event(booking, BookingAction.COMPLETE.value, now, None, before, booking.state, _delivery_note(booking))
    sync_booking_notifications(booking, now)
    db.session.commit()
    log.info("booking %s completed", booking.code)
    return True


def _completable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """In progress, the call closed (where `valid_span` ends) and empty, and either time delivered or
    a telephone session that left no call records. One definition for finding candidates and for
    re-checking under the lock."""
    of_booking = CallAttendance.booking_id == Booking.id
    someone_in_call = exists().where(of_booking, CallAttendance.left_at.is_(None))
    delivered = exists().where(CallSummary.booking_id == Booking.id, CallSummary.delivered_seconds > 0)
    no_records = and_(
        ~exists().where(of_booking),
        ~exists().where(CallSummary.booking_id == Booking.id),
        ~exists().where(PhoneLeg.booking_id == Booking.id),
    )
    return (
        Booking.state == BookingState.IN_PROGRESS,
        Booking.on_demand.is_(False),  # an on-demand call ends with its call (`rris.ondemand`)
        Booking.ends_at <= now - GRACE_AFTER_END,
        ~someone_in_call,
        or_(delivered, and_(Booking.modality == Modality.PHONE, no_records)),
    )


def _delivery_note(booking: Booking) -> str:
    summary = db.session.get(CallSummary, booking.id)
    if summary is None:
        return _("Held by telephone outside RRIS: the booked time counts.")
    together = timedelta(minutes=rounded_minutes(summary.delivered_seconds))
    return _(
        "Officer and interpreter were in the call together for %(duration)s.",
        duration=formats.duration(together, current_locale()),
    )
