"""Booking use cases: request, cancel, reschedule, assign by hand, record an objection.

Each follows the same order: guard, write, append to the history, commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from rris.access.domain.permissions import Actor, may
from rris.access.queries.scoping import get_visible, visible_bookings
from rris.accounts.models.accounts import User
from rris.bookings.domain.applicant_keys import KeyRing
from rris.bookings.domain.booking_states import BookingAction, next_state
from rris.bookings.domain.moves import NOT_SAID, MoveWhy
from rris.bookings.models.bookings import Booking, BookingSpecialisation
from rris.bookings.services.applicant_keys import rekey
from rris.bookings.services.booking_events import record_event
from rris.bookings.services.booking_input import validate_booking
from rris.bookings.services.booking_requests import (
    CANCEL_REASON_MAX_CHARS,
    OUTCOME_ACTIONS,
    OUTCOME_NOTE_MAX_CHARS,
    BookingRequest,
)
from rris.bookings.services.booking_setup import BookingSetup
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.common.domain.formats import list_row
from rris.common.services.idempotency import claim_key, remember_result
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write, lock_interpreter
from rris.common.services.wording import current_locale
from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.rules import Rejection, RejectionReason
from rris.matching.domain.snapshots import Interval
from rris.matching.services.booking_matching import Assessment, assess_valid, recheck_leg
from rris.matching.services.wording import rejections_text
from rris.notifications.services.notifications import sync_booking_notifications
from rris.offers.queries.jobs import job_overlapping
from rris.offers.services.offers import assign_interpreter, send_wave, withdraw_pending
from rris.pool.models.interpreters import InterpreterProfile

LATE_CANCELLATION = timedelta(hours=24)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Idempotency:
    """The caller's Idempotency-Key and the request's fingerprint."""

    key: str
    fingerprint: str


def request_booking(
    request: BookingRequest,
    user: User,
    actor: Actor,
    now: datetime,
    setup: BookingSetup,
    idempotency: Idempotency | None = None,
) -> tuple[Booking, bool]:
    """Store a booking and send the first wave of offers; returns (booking, created).

    With an Idempotency-Key seen before, returns the booking that request created instead.
    """
    valid = validate_booking(request, actor, now, setup.keys)
    # Matching reads a lot; it runs before the write lock is taken. The ranking may be a moment
    # old when the offers go out, which is harmless: acceptance re-checks under the lock.
    assessment = assess_valid(valid, now, suggest=False)
    # The ids it needs, read before the write lock: `begin_write` ends the read transaction, and
    # reading an attribute of an object read in it would read its row again.
    department_id, country_id, user_id = valid.department.id, valid.department.country_id, user.id
    begin_write()
    if idempotency:
        earlier = claim_key(user_id, idempotency.key, idempotency.fingerprint, now)
        if earlier is not None:
            db.session.commit()
            return db.session.get_one(Booking, earlier["booking_id"]), False
    key = valid.applicant_keys[0] if valid.applicant_keys else None
    rekey(valid.applicant_keys)
    booking = Booking(
        code=new_booking_code(),
        department_id=department_id,
        country_id=country_id,
        created_by_id=user_id,
        applicant_language=valid.applicant_language,
        officer_language=valid.officer_language,
        dialect=valid.dialect,
        session_kind=valid.session_kind,
        modality=valid.modality,
        starts_at=valid.interval.start,
        ends_at=valid.interval.end,
        case_reference=valid.case_reference,
        applicant_key=key.digest if key else None,
        applicant_key_version=key.version if key else None,
        notes=valid.notes,
        gender=valid.gender,
        gender_rule=valid.gender_rule,
        continuity=valid.continuity,
        relay=not assessment.covered_directly and assessment.relay is not None,
        state=BookingState.REQUESTED,
        created_at=now,
        updated_at=now,
    )
    booking.specialisations = [BookingSpecialisation(specialisation=item) for item in sorted(valid.specialisations)]
    # A new booking has none yet: said here, so the wave and the outbox do not ask the database.
    booking.assignments, booking.offers = [], []
    db.session.add(booking)
    db.session.flush()
    note = _("Relayed through English: two interpreters.") if booking.relay else None
    record_event(booking, "requested", now, user_id, None, BookingState.REQUESTED, note)
    if booking.relay and assessment.relay is not None:
        ranked = {1: assessment.relay.first_leg, 2: assessment.relay.second_leg}
    else:
        ranked = {1: assessment.direct}
    send_wave(booking, now, setup.waves, actor_id=user_id, ranked=ranked)
    sync_booking_notifications(booking, now, new_booking=True)
    if idempotency:
        remember_result(user_id, idempotency.key, {"booking_id": booking.id})
    db.session.commit()
    return booking, True


def cancel_booking(booking_id: int, actor: Actor, reason: str, now: datetime) -> Booking:
    """Cancel with a reason; inside 24 hours of the start it is marked late. Interpreters are released."""
    reason = required_text(reason, "reason", _("Give a reason for the cancellation."), CANCEL_REASON_MAX_CHARS)
    _require(actor, BookingAction.CANCEL)
    begin_write()
    booking = _lock_visible(booking_id, actor, now)
    before = booking.state
    after = next_state(before, BookingAction.CANCEL)
    booking.state = after
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.cancelled_late = booking.starts_at - now < LATE_CANCELLATION
    booking.updated_at = now
    _release(booking, now, _("cancelled"))
    withdraw_pending(booking, now)
    record_event(booking, BookingAction.CANCEL.value, now, actor.user_id, before, after, reason)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking


def reschedule_booking(
    booking_id: int,
    actor: Actor,
    start_local: datetime,
    duration_minutes: int | None,
    now: datetime,
    setup: BookingSetup,
    start_occurrence: int | None = None,
    why: MoveWhy = NOT_SAID,
) -> Booking:
    """Move a booking to a wall-clock start in its department's zone, saying `why` (`other` needs
    words); interpreters are released and asked again (the previous one first)."""
    if why.lacks_words:
        raise InvalidInput({"reason_text": _("Say in a few words why the booking moves.")})
    _require(actor, BookingAction.RESCHEDULE)
    begin_write()
    booking = _lock_visible(booking_id, actor, now)
    next_state(booking.state, BookingAction.RESCHEDULE)  # guard before checking the new time
    # The booking as stored, at the new time: trusted values, so built without validating again.
    moved = BookingRequest.model_construct(
        applicant_language=booking.applicant_language,
        officer_language=booking.officer_language,
        session_kind=booking.session_kind,
        start_local=start_local,
        duration_minutes=duration_minutes or int((booking.ends_at - booking.starts_at).total_seconds() // 60),
        modality=booking.modality,
        case_reference=booking.case_reference,
        department_id=booking.department_id,
        dialect=booking.dialect,
        gender=booking.gender,
        gender_rule=booking.gender_rule,
        start_occurrence=start_occurrence,
    )
    try:
        valid = validate_booking(moved, actor, now, setup.keys)
    except InvalidInput:
        db.session.rollback()
        raise
    before = booking.state
    old = f"{booking.starts_at.isoformat()}–{booking.ends_at.isoformat()}"
    _release(booking, now, _("rescheduled"))
    withdraw_pending(booking, now)
    booking.starts_at, booking.ends_at = valid.interval.start, valid.interval.end
    booking.version += 1
    booking.confirmed_at = None
    booking.state = next_state(before, BookingAction.RESCHEDULE)
    booking.continuity = True
    booking.updated_at = now
    booking.move_reason, booking.move_note, booking.moved_by_id = why.reason, why.note, actor.user_id
    record_event(
        booking,
        BookingAction.RESCHEDULE.value,
        now,
        actor.user_id,
        before,
        booking.state,
        _("Moved from %(old)s.", old=old),
    )
    db.session.flush()
    send_wave(booking, now, setup.waves, actor_id=actor.user_id)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking


def eligibility_of(booking: Booking, interpreter_id: int, now: datetime, leg: int = 1) -> tuple[Rejection, ...]:
    """Why an interpreter could not take a leg (empty when they could): for manual assignment."""
    return recheck_leg(booking, leg, interpreter_id, now).rejections.get(interpreter_id, ())


def assign_by_hand(
    booking_id: int, interpreter_id: int, actor: Actor, now: datetime, leg: int = 1, despite: bool = False
) -> Booking:
    """A coordinator assigns an interpreter. If the engine would not, InvalidInput says why
    unless `despite` confirms. Another job of theirs at that time is a Conflict naming it,
    `despite` or not: the database refuses the overlap anyway, and a coordinator who lost a
    race to another assignment must hear the same on SQLite and PostgreSQL."""
    _require(actor, BookingAction.ASSIGN)
    begin_write()
    booking = _lock_visible(booking_id, actor, now)
    if leg not in range(1, booking.leg_count + 1):
        db.session.rollback()
        raise InvalidInput({"leg": _("This booking has no such leg.")})
    interpreter = db.session.get(InterpreterProfile, interpreter_id)
    if interpreter is None:
        db.session.rollback()
        raise InvalidInput({"interpreter_id": _("No such interpreter.")})
    lock_interpreter(interpreter_id)
    before = booking.state
    after = next_state(before, BookingAction.ASSIGN)
    reasons = eligibility_of(booking, interpreter_id, now, leg)
    clashes = [reason for reason in reasons if reason.reason is RejectionReason.OVERLAPPING_JOB]
    if clashes:
        other = db.session.get(Booking, clashes[0].values["booking_id"])
        raise _clash(interpreter.name, other)
    if reasons and not despite:
        db.session.rollback()
        raise InvalidInput({"interpreter_id": rejections_text(reasons)})
    for assignment in booking.active_assignments:
        if assignment.leg == leg:
            assignment.released_at = now
            assignment.release_reason = _("replaced by hand")
    db.session.flush()
    busy = busy_interval(Interval(booking.starts_at, booking.ends_at), interpreter.rest_gap_minutes)
    try:
        assignment = assign_interpreter(booking, leg, interpreter, now, assigned_by_id=actor.user_id, manual=True)
    except IntegrityError:
        # Only a writer that skipped the interpreter's lock gets here; name what it committed.
        name = interpreter.name
        db.session.rollback()
        raise _clash(name, job_overlapping(interpreter_id, busy)) from None
    assignment.waived_reasons = ",".join(sorted({reason.reason.value for reason in reasons})) or None
    withdraw_pending(booking, now, leg)
    if booking.fully_assigned:
        booking.state = after
        booking.confirmed_at = booking.confirmed_at or now
    booking.updated_at = now
    note = _("Assigned %(name)s by hand.", name=interpreter.name)
    if reasons:
        note += " " + _("Despite: %(reasons)s", reasons=rejections_text(reasons))
    record_event(booking, BookingAction.ASSIGN.value, now, actor.user_id, before, booking.state, note)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking


def _clash(name: str, other: Booking | None) -> Conflict:
    """The Conflict for an interpreter already holding a job at that time, naming the job; ends the transaction."""
    if other is None:
        db.session.rollback()
        return Conflict(_("%(name)s has another job at that time.", name=name))
    message = _(
        "%(name)s already has booking %(code)s at that time (%(when)s; rest gap included).",
        name=name,
        code=other.code,
        when=list_row(other.starts_at, other.department.timezone, current_locale()),
    )
    db.session.rollback()
    return Conflict(message)


def _require(actor: Actor, action: BookingAction) -> None:
    if not may(actor, action):
        raise Forbidden(_("Your role does not allow this."))


def _lock_visible(booking_id: int, actor: Actor, now: datetime) -> Booking:
    booking = db.session.scalar(visible_bookings(actor, now).where(Booking.id == booking_id).with_for_update())
    if booking is None:
        db.session.rollback()
        return get_visible(visible_bookings(actor, now), Booking, booking_id)  # raises NotVisible
    if booking.on_demand:
        # Its queue, rings and call move together (`rris.ondemand`); a booking action would split them.
        db.session.rollback()
        raise Conflict(_("This is an on-demand call: it ends when the officer gives up or someone hangs up."))
    return booking


def _release(booking: Booking, now: datetime, why: str) -> None:
    for assignment in booking.active_assignments:
        assignment.released_at = now
        assignment.release_reason = why


def new_booking_code() -> str:
    """A fresh booking code: RR- and six characters that cannot be misread for one another."""
    return "RR-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def preview_booking(request: BookingRequest, actor: Actor, now: datetime, keys: KeyRing) -> Assessment:
    """How many interpreters fit the request as it stands, a relay if needed, or other times."""
    valid = validate_booking(request, actor, now, keys)
    return assess_valid(valid, now)


def record_outcome(booking_id: int, actor: Actor, action: BookingAction, now: datetime, note: str = "") -> Booking:
    """Mark what went wrong with a session (no-show, wrong language, technical failure)."""
    if action not in OUTCOME_ACTIONS:
        raise InvalidInput({"outcome": _("Choose one of the outcomes offered.")})
    note = (note or "").strip()
    if len(note) > OUTCOME_NOTE_MAX_CHARS:
        raise InvalidInput(
            {
                "note": ngettext(
                    "A note takes at most %(num)d character; this one has %(length)d. Shorten it.",
                    "A note takes at most %(num)d characters; this one has %(length)d. Shorten it.",
                    OUTCOME_NOTE_MAX_CHARS,
                    length=len(note),
                )
            }
        )
    _require(actor, action)
    begin_write()
    booking = _lock_visible(booking_id, actor, now)
    if booking.starts_at > now:
        db.session.rollback()
        raise Conflict(_("An outcome can be recorded once the session has started."))
    before = booking.state
    booking.state = next_state(before, action)
    booking.updated_at = now
    record_event(booking, action.value, now, actor.user_id, before, booking.state, note or None)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking
