"""Conflict sweeps: confirmed jobs their interpreter can no longer do.

The portal asks for a sweep of one interpreter when something about them changes
(`request_sweep`); the scheduler runs those within seconds and a sweep of every upcoming
confirmed job every few minutes, which also catches what time alone changes (an accreditation
expiring before the session's date). A new conflict is recorded once, in the booking's
history, and the caseworker and coordinators are told; it is resolved when its cause goes away.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from rris.access.domain.permissions import Actor, may
from rris.access.queries.scoping import get_visible, visible_bookings
from rris.bookings.domain.booking_states import BookingAction, next_state
from rris.bookings.models.bookings import Assignment, Booking
from rris.bookings.services.booking_events import record_event
from rris.common.domain.errors import Conflict, Forbidden
from rris.common.services.transactions import begin_write, lock_booking
from rris.enums import BookingState, NotificationKind
from rris.extensions import db
from rris.matching.domain.conflicts import conflicts_among, parse_waived
from rris.matching.models.conflicts import BookingConflict, SweepRequest
from rris.matching.services.booking_matching import match_leg
from rris.matching.services.conflict_wording import stored_params
from rris.notifications.queries.notices import open_conflicts as booking_open_conflicts
from rris.notifications.services.notifications import sync_booking_notifications, tell_caseworker_and_coordinators
from rris.offers.domain.waves import WavePolicy
from rris.offers.services.offers import send_wave

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """What a sweep found."""

    checked: int = 0
    found: int = 0
    resolved: int = 0


def request_sweep(interpreter_id: int, reason: str, now: datetime) -> None:
    """Ask the scheduler to check this interpreter's confirmed jobs; the caller commits."""
    db.session.add(SweepRequest(interpreter_id=interpreter_id, reason=reason[:100], requested_at=now))


def process_sweep_requests(now: datetime) -> SweepReport:
    """Run the sweeps the portal asked for, each interpreter once however often they were asked."""
    waiting = db.session.scalar(select(SweepRequest.id).limit(1))
    db.session.commit()
    if waiting is None:  # polled every few seconds: take the write lock only when there is work
        return SweepReport()
    begin_write()
    requests = list(db.session.scalars(select(SweepRequest).order_by(SweepRequest.id)))
    if not requests:
        db.session.commit()
        return SweepReport()
    db.session.execute(delete(SweepRequest).where(SweepRequest.id <= requests[-1].id))
    interpreter_ids = sorted({request.interpreter_id for request in requests})
    db.session.commit()
    return sweep(now, interpreter_ids)


def sweep(now: datetime, interpreter_ids: list[int] | None = None) -> SweepReport:
    """Check upcoming confirmed jobs (of these interpreters, or all) against what is true now."""
    report = SweepReport()
    report.resolved += _resolve_stale(now)
    statement = (
        select(Assignment.booking_id)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(
            Booking.state == BookingState.CONFIRMED,
            Booking.starts_at > now,
            Assignment.released_at.is_(None),
        )
        .distinct()
    )
    if interpreter_ids is not None:
        statement = statement.where(Assignment.interpreter_id.in_(interpreter_ids))
    booking_ids = sorted(db.session.scalars(statement))
    db.session.commit()
    for booking_id in booking_ids:
        found, resolved = _check_booking(booking_id, now, interpreter_ids)
        report.checked += 1
        report.found += found
        report.resolved += resolved
    return report


def _check_booking(booking_id: int, now: datetime, interpreter_ids: list[int] | None) -> tuple[int, int]:
    begin_write()
    booking = lock_booking(booking_id)
    if booking.state is not BookingState.CONFIRMED or booking.starts_at <= now:
        db.session.commit()
        return 0, 0
    found = resolved = 0
    open_conflicts = booking_open_conflicts(booking.id)
    for assignment in booking.active_assignments:
        if interpreter_ids is not None and assignment.interpreter_id not in interpreter_ids:
            continue
        result = match_leg(booking, assignment.leg, now, interpreter_ids=[assignment.interpreter_id])
        rejections = result.rejections.get(assignment.interpreter_id, ())
        current = {r.reason.value: r for r in conflicts_among(rejections, parse_waived(assignment.waived_reasons))}
        recorded = {c.reason: c for c in open_conflicts if c.assignment_id == assignment.id}
        for reason, rejection in current.items():
            if reason in recorded:
                continue
            conflict = BookingConflict(
                booking_id=booking.id,
                assignment_id=assignment.id,
                interpreter_id=assignment.interpreter_id,
                reason=reason,
                params=stored_params(rejection),
                detected_at=now,
            )
            db.session.add(conflict)
            db.session.flush()
            # The history names whom; why is the conflict's, worded in each reader's language.
            record_event(booking, "conflict", now, None, note=assignment.interpreter.name)
            tell_caseworker_and_coordinators(booking, NotificationKind.CONFLICT, conflict.id, now, booking.starts_at)
            found += 1
        for reason, conflict in recorded.items():
            if reason not in current:
                _resolve(conflict, now, _("The cause went away."))
                resolved += 1
    db.session.commit()
    if found:
        log.info("booking %s: %d new conflicts", booking.code, found)
    return found, resolved


def _resolve_stale(now: datetime) -> int:
    """Conflicts of jobs that were released, re-offered, cancelled or have started are over."""
    begin_write()
    stale = list(
        db.session.scalars(
            select(BookingConflict)
            .join(Booking, Booking.id == BookingConflict.booking_id)
            .join(Assignment, Assignment.id == BookingConflict.assignment_id)
            .where(
                BookingConflict.resolved_at.is_(None),
                (Booking.state != BookingState.CONFIRMED)
                | (Booking.starts_at <= now)
                | Assignment.released_at.isnot(None),
            )
        )
    )
    for conflict in stale:
        _resolve(conflict, now, _("The job changed."))
    db.session.commit()
    return len(stale)


def _resolve(conflict: BookingConflict, now: datetime, why: str) -> None:
    conflict.resolved_at = now
    conflict.resolution = why[:200]


def reoffer_after_conflict(booking_id: int, actor: Actor, now: datetime, waves: WavePolicy) -> Booking:
    """Release the interpreters the booking's open conflicts are about and offer the job again."""
    if not may(actor, BookingAction.REOFFER):
        raise Forbidden(_("Your role does not allow this."))
    begin_write()
    booking = db.session.scalar(visible_bookings(actor, now).where(Booking.id == booking_id).with_for_update())
    if booking is None:
        db.session.rollback()
        get_visible(visible_bookings(actor, now), Booking, booking_id)  # raises NotVisible
    assert booking is not None
    conflicts = booking_open_conflicts(booking.id)
    if not conflicts:
        db.session.rollback()
        raise Conflict(_("This booking has no open conflict to resolve."))
    before = booking.state
    booking.state = next_state(before, BookingAction.REOFFER)
    released = {conflict.assignment_id for conflict in conflicts}
    names = []
    for assignment in booking.active_assignments:
        if assignment.id in released:
            assignment.released_at = now
            assignment.release_reason = _("conflict")
            names.append(assignment.interpreter.name)
    for conflict in conflicts:
        _resolve(conflict, now, _("Offered again."))
    booking.confirmed_at = None
    booking.updated_at = now
    # New terms for the job: everyone may be asked again, including those whose offers were
    # withdrawn when the released interpreter accepted.
    booking.version += 1
    record_event(
        booking,
        BookingAction.REOFFER.value,
        now,
        actor.user_id,
        before,
        booking.state,
        _("Released %(names)s and offered the job again.", names=", ".join(names)),
    )
    db.session.flush()
    send_wave(booking, now, waves, actor_id=actor.user_id)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking
