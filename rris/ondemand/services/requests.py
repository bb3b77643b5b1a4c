"""An officer asks for an interpreter now, waits in the queue, or gives up.

The request is checked by the booking's own validators, ranked by the matching engine (reachable
interpreters only, the call holding its maximum length from now), and stored as an on-demand
booking with its `OnDemandCall`; then the queue is served. A required gender is never relaxed:
when no reachable interpreter could ever take the request the answer is NONE_AVAILABLE and nothing
is stored, unless the officer chose to wait. With the telephone escalation on, that answer says
whether on-call interpreters would be phoned were she to wait, and after how long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import NotVisible, get_visible, visible_bookings
from rris.bookings.domain.applicant_keys import KeyRing
from rris.bookings.domain.booking_states import BookingAction, next_state
from rris.bookings.models.bookings import CASE_REFERENCE_MAX_CHARS, Booking, BookingSpecialisation
from rris.bookings.services.applicant_keys import keys_for_identifier, rekey
from rris.bookings.services.booking_events import record_event
from rris.bookings.services.booking_input import ValidBooking, booking_department, dialect_exists, known_language
from rris.bookings.services.bookings import Idempotency, new_booking_code
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.services.idempotency import claim_key, remember_result
from rris.common.services.text_input import required_text
from rris.enums import BookingState, Gender, GenderRule, Modality, SessionKind, Specialisation
from rris.extensions import db
from rris.matching.services.booking_matching import link_for_valid, request_from_valid
from rris.ondemand.domain.escalation import PhoneEscalation
from rris.ondemand.domain.holds import provisional_hold
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.queueing import QueuePlace, expected_wait, someone_could_take
from rris.ondemand.domain.states import OPEN_STATES, Answer, CallState, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.queries.presence import reachable_interpreters
from rris.ondemand.queries.queue import live_rings, pair_key, position_in_queue, recent_answer_times
from rris.ondemand.services.dispatch import end_rings, lock_on_demand, match_now, now_request, serve
from rris.ondemand.services.phone_escalation import phones_could_take


@dataclass(frozen=True)
class NowRequest:
    """What the officer asks for: a language pair now, and the case's constraints."""

    applicant_language: str
    officer_language: str
    case_reference: str
    session_kind: SessionKind = SessionKind.RECEPTION
    modality: Modality = Modality.VIDEO
    department_id: int | None = None
    dialect: str | None = None
    gender: Gender | None = None
    gender_rule: GenderRule = GenderRule.NONE
    specialisations: frozenset[Specialisation] = field(default_factory=frozenset)
    applicant_identifier: str | None = None  # keyed at once; never stored


@dataclass(frozen=True)
class NowAnswer:
    """The answer: ringing, queued (with the place) or none available (nothing stored, `call_id` None)."""

    answer: Answer
    call_id: int | None = None
    place: QueuePlace | None = None
    gender_required: bool = False
    replayed: bool = False  # the answer to an earlier request with the same Idempotency-Key
    # NONE_AVAILABLE only: a waiting request would be phoned to an on-call interpreter after this long.
    phone_after_seconds: int | None = None


def request_now(
    wanted: NowRequest,
    actor: Actor,
    now: datetime,
    policy: OnDemandPolicy,
    keys: KeyRing,
    wait: bool = False,
    idempotency: Idempotency | None = None,
) -> NowAnswer:
    """Ask for an interpreter now; with `wait`, queue even when nobody reachable could take it yet.

    With an Idempotency-Key seen before, answers where that request's call stands now instead
    (a NONE_AVAILABLE answer stored nothing, so it holds no key: a retry asks again)."""
    valid = _validate(wanted, actor, now, policy, keys)
    link = link_for_valid(valid)
    request = now_request(request_from_valid(valid, link), now, policy)
    lock_on_demand()
    if idempotency:
        earlier = claim_key(actor.user_id, idempotency.key, idempotency.fingerprint, now)
        if earlier is not None:
            db.session.commit()
            return _answer_for(db.session.get_one(OnDemandCall, earlier["call_id"]), policy, replayed=True)
    pair = frozenset((valid.applicant_language, valid.officer_language))
    reachable = reachable_interpreters(now, policy.heartbeat_seconds, [pair])
    ranking = match_now(request, link, reachable, now)
    if not wait and not someone_could_take(ranking):
        escalation = PhoneEscalation(policy.phone_after_seconds)
        phoned = escalation.enabled and phones_could_take(request, link, pair, now)
        db.session.rollback()
        return NowAnswer(
            Answer.NONE_AVAILABLE,
            gender_required=valid.gender_rule is GenderRule.REQUIRED,
            phone_after_seconds=escalation.after_seconds if phoned else None,
        )
    call = _store(valid, actor, now, policy)
    serve([call.pair_key], now, policy, ranked={call.id: ranking})  # everyone free to ring is reachable
    if idempotency:
        remember_result(actor.user_id, idempotency.key, {"call_id": call.id})
    db.session.commit()
    return _answer_for(call, policy)


def _answer_for(call: OnDemandCall, policy: OnDemandPolicy, replayed: bool = False) -> NowAnswer:
    if call.state is CallState.WAITING:
        return NowAnswer(Answer.QUEUED, call.id, queue_place(call.id, policy), replayed=replayed)
    return NowAnswer(Answer.RINGING, call.id, replayed=replayed)


def abandon(call_id: int, actor: Actor, now: datetime, policy: OnDemandPolicy) -> OnDemandCall:
    """The officer gives up before anyone answered: recorded as abandoned; rings stop at once."""
    lock_on_demand()
    call = visible_call(call_id, actor, now)
    if call.state not in OPEN_STATES:
        db.session.rollback()
        raise Conflict(_("This request is no longer waiting: an interpreter has answered it or it has ended."))
    freed = end_rings(live_rings(call.id), RingOutcome.STOPPED, now)
    call.state = CallState.ABANDONED
    call.abandoned_at = now
    booking = call.booking
    before = booking.state
    booking.state = next_state(before, BookingAction.CANCEL)
    booking.cancelled_at = booking.updated_at = now
    record_event(booking, BookingAction.CANCEL.value, now, actor.user_id, before, booking.state)
    serve(freed, now, policy)
    db.session.commit()
    return call


def queue_place(call_id: int, policy: OnDemandPolicy) -> QueuePlace:
    """Where a waiting request stands in its queue and how long it may expect to wait."""
    call = db.session.get_one(OnDemandCall, call_id)
    return QueuePlace(position_in_queue(call), expected_wait(recent_answer_times(call.pair_key, policy.wait_sample)))


def _validate(wanted: NowRequest, actor: Actor, now: datetime, policy: OnDemandPolicy, keys: KeyRing) -> ValidBooking:
    errors: dict[str, str] = {}
    department = booking_department(wanted.department_id, actor, errors)
    applicant = known_language(wanted.applicant_language, "applicant_language", errors)
    officer = known_language(wanted.officer_language, "officer_language", errors)
    if applicant and officer and applicant == officer:
        errors["officer_language"] = _("The officer's language must differ from the applicant's.")
    dialect = wanted.dialect or None
    if dialect and applicant and not dialect_exists(applicant, dialect):
        errors["dialect"] = _("Choose a dialect of the applicant's language from the list.")
    if wanted.gender_rule is not GenderRule.NONE and wanted.gender is None:
        errors["gender"] = _("Say which gender is required or preferred.")
    reference = ""
    try:
        reference = required_text(
            wanted.case_reference,
            "case_reference",
            _("Enter your department's case reference (never the applicant's name)."),
            CASE_REFERENCE_MAX_CHARS,
        )
    except InvalidInput as problem:
        errors.update(problem.errors)
    applicant_keys = keys_for_identifier(wanted.applicant_identifier, keys, errors)
    if errors:
        raise InvalidInput(errors)
    assert department and applicant and officer
    return ValidBooking(
        department=department,
        applicant_language=applicant,
        officer_language=officer,
        session_kind=wanted.session_kind,
        interval=provisional_hold(now, policy.max_minutes),
        modality=wanted.modality,
        case_reference=reference,
        dialect=dialect,
        notes=None,
        gender=wanted.gender if wanted.gender_rule is not GenderRule.NONE else None,
        gender_rule=wanted.gender_rule,
        specialisations=wanted.specialisations,
        continuity=False,
        applicant_keys=applicant_keys,
    )


def _store(valid: ValidBooking, actor: Actor, now: datetime, policy: OnDemandPolicy) -> OnDemandCall:
    key = valid.applicant_keys[0] if valid.applicant_keys else None
    rekey(valid.applicant_keys)
    hold = provisional_hold(now, policy.max_minutes)
    booking = Booking(
        code=new_booking_code(),
        department_id=valid.department.id,
        country_id=valid.department.country_id,
        created_by_id=actor.user_id,
        applicant_language=valid.applicant_language,
        officer_language=valid.officer_language,
        dialect=valid.dialect,
        session_kind=valid.session_kind,
        modality=valid.modality,
        starts_at=hold.start,
        ends_at=hold.end,
        case_reference=valid.case_reference,
        applicant_key=key.digest if key else None,
        applicant_key_version=key.version if key else None,
        gender=valid.gender,
        gender_rule=valid.gender_rule,
        on_demand=True,
        state=BookingState.REQUESTED,
        created_at=now,
        updated_at=now,
    )
    booking.specialisations = [BookingSpecialisation(specialisation=item) for item in sorted(valid.specialisations)]
    call = OnDemandCall(
        booking=booking,
        pair_key=pair_key((valid.applicant_language, valid.officer_language)),
        state=CallState.WAITING,
        requested_at=now,
    )
    db.session.add_all([booking, call])
    db.session.flush()
    record_event(booking, "requested", now, actor.user_id, None, BookingState.REQUESTED)
    return call


def visible_call(call_id: int, actor: Actor, now: datetime) -> OnDemandCall:
    """The request, freshly read, when the actor may see its booking (NotVisible otherwise)."""
    statement = select(OnDemandCall).where(OnDemandCall.id == call_id).execution_options(populate_existing=True)
    call = db.session.scalar(statement)
    if call is None:
        raise NotVisible(f"OnDemandCall {call_id}")
    get_visible(visible_bookings(actor, now), Booking, call.booking_id)
    return call
