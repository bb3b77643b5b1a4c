"""Telephone escalation: a request nobody answered within `PhoneEscalation.after_seconds` calls
the phones of on-call interpreters, one at a time, best first.

Who is called is decided as for a page's ring: the queue's lock, the engine's ranking
(`dispatch.rank_for`: her windows, caps, accreditation, objections, current jobs), free of any
other ring or call. The call is an `OnDemandRing` on the phone channel with the telephone leg that
rings her, so pressing 1 takes it through `accept_ring` like a page's Accept, and the partial
unique index keeps her to one ring at a time on either channel. Every leg passes the toll-fraud
guard (caps per booking and per day) and the list of countries RRIS may call. Without a Twilio
account the leg is simulated: no call is placed, and the simulated phone is answered on the page
whose address the log gives (`rris.phone.web.simulated_call`), else its ring lapses unanswered.

`phones_could_take` tells the officer, when nobody on a page could take her request, whether the
escalation would find someone to phone were she to wait.

The scheduler runs `escalate_to_phones` every few seconds: it ends phone rings that went
unanswered or whose call ended, hangs up phones still ringing for nothing, and calls the next.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.bookings.queries.applicant_links import ApplicantLink
from rris.calls.domain.call_participants import Participant
from rris.calls.services.call_access import name_in_call
from rris.common.services.transactions import lock_booking
from rris.enums import CallRole, PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.matching.domain.engine import MatchResult
from rris.matching.domain.snapshots import MatchRequest
from rris.ondemand.domain.escalation import PhoneEscalation, phone_ring_lapsed, sign_simulated_call
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import OPEN_STATES, CallState, RingChannel, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.queries.on_call import calls_waiting_since, live_phone_rings, not_to_phone, on_call_numbers
from rris.ondemand.queries.presence import engaged_interpreters
from rris.ondemand.services.dispatch import back_to_waiting, end_rings, lock_on_demand, match_now, rank_for, serve
from rris.phone.domain.toll_guard import DAILY_CAP, number_tail
from rris.phone.integrations.telephony import VoiceError, VoiceUncertain, current_voice
from rris.phone.models.phone_legs import PhoneLeg
from rris.phone.services.phone_guard import PhoneRefused, PhoneSetup, check_callable, guard_new_leg
from rris.phone.services.phone_legs import (
    DISPLAY_NAME_MAX_CHARS,
    accept_call_sid,
    end_unplaced,
    hang_up,
    leg_is_over,
)
from rris.pool.models.interpreters import InterpreterProfile

log = logging.getLogger(__name__)

# Twilio fetches the spoken prompt from here (+ "/<leg id>") when she picks up.
ESCALATION_VOICE_PATH = "/twilio/ondemand"
STATUS_PATH = "/twilio/status"
# Without Twilio, the simulated phone of an escalation call (+ "/<leg id>/<token>").
SIMULATED_CALL_PATH = "/phone/simulated-call"


@dataclass(frozen=True)
class EscalationReport:
    """What one run did: phone rings ended unanswered, phones called, phones hung up."""

    lapsed: int = 0
    called: int = 0
    hung_up: int = 0


def escalate_to_phones(
    now: datetime, policy: OnDemandPolicy, escalation: PhoneEscalation, setup: PhoneSetup
) -> EscalationReport:
    """End lapsed phone rings, hang up phones ringing for nothing, and call the next on-call
    interpreter for each request that has waited long enough without one."""
    lapsed = end_lapsed_phone_rings(now, policy)
    hung_up = hang_up_unneeded(now)
    called = 0
    if escalation.enabled:
        db.session.commit()  # end the read transaction: each request is decided under the lock
        for call_id in calls_waiting_since(escalation.waited_since(now)):
            try:
                called += call_next_phone(call_id, now, policy, setup)
            except PhoneRefused as refused:
                if refused.code == DAILY_CAP:
                    break
    db.session.commit()
    return EscalationReport(lapsed=lapsed, called=called, hung_up=hung_up)


def end_lapsed_phone_rings(now: datetime, policy: OnDemandPolicy) -> int:
    """End as missed the phone rings unanswered for too long or whose telephone call is over
    (nobody picked up, busy, or she hung up without pressing a key); serve their queues."""
    if not any(_phone_ring_over(ring, now) for ring in live_phone_rings()):
        db.session.commit()  # nothing to end: no write transaction every few seconds
        return 0
    lock_on_demand()
    over = [ring for ring in live_phone_rings() if _phone_ring_over(ring, now)]
    freed = end_rings(over, RingOutcome.MISSED, now)
    for ring in over:
        back_to_waiting(ring.call)
        freed.add(ring.call.pair_key)
        log.info("on-demand call %s: phone ring %s ended unanswered", ring.call_id, ring.id)
    serve(freed, now, policy)
    db.session.commit()
    return len(over)


def hang_up_unneeded(now: datetime) -> int:
    """Hang up the phones still ringing, unanswered, for rings that ended (taken by someone else,
    lapsed, or the officer gave up); how many."""
    statement = (
        select(PhoneLeg.id)
        .join(OnDemandRing, OnDemandRing.phone_leg_id == PhoneLeg.id)
        .where(
            OnDemandRing.ended_at.is_not(None),
            OnDemandRing.outcome != RingOutcome.ACCEPTED,
            PhoneLeg.ended_at.is_(None),
            PhoneLeg.answered_at.is_(None),
            PhoneLeg.status.not_in([status for status in PhoneLegStatus if status.is_final]),
        )
    )
    leg_ids = list(db.session.scalars(statement))
    db.session.commit()
    ended = 0
    for leg_id in leg_ids:
        try:
            ended += hang_up(leg_id, now)
        except PhoneRefused:
            log.warning("on-demand phone leg %s could not be hung up now; trying again later", leg_id)
    return ended


def call_next_phone(call_id: int, now: datetime, policy: OnDemandPolicy, setup: PhoneSetup) -> bool:
    """Call the best on-call interpreter for this request, unless a phone rings for it already or
    nobody is left; True when a phone was rung. PhoneRefused when the toll-fraud caps say no."""
    lock_on_demand()
    call = db.session.get(OnDemandCall, call_id, populate_existing=True)
    if call is None or call.state not in OPEN_STATES or live_phone_rings(call_id):
        db.session.rollback()
        return False
    chosen = _best_on_call(call, now, policy)
    if chosen is None:
        db.session.rollback()
        return False
    interpreter_id, phone = chosen
    user = db.session.get_one(InterpreterProfile, interpreter_id).user
    tail, person = number_tail(phone), Participant.user(user.id)
    lock_booking(call.booking_id)
    guard_new_leg(call.booking_id, person.encode(), tail, now, setup.caps)
    voice = current_voice()
    leg = PhoneLeg(
        booking_id=call.booking_id,
        participant=person.phone().encode(),
        person_participant=person.encode(),
        user_id=user.id,
        role=CallRole.INTERPRETER,
        display_name=_phone_name(user),
        direction=PhoneDirection.OUTBOUND,
        number_tail=tail,
        status=PhoneLegStatus.REQUESTED,
        requested_at=now,
        simulated=voice is None,
    )
    ring = OnDemandRing(call=call, interpreter_id=interpreter_id, rung_at=now, channel=RingChannel.PHONE, phone_leg=leg)
    db.session.add_all([leg, ring])
    call.state = CallState.RINGING
    call.first_ring_at = call.first_ring_at or now
    db.session.commit()
    leg_id, ring_id = leg.id, ring.id
    log.info(
        "on-demand call %s: calling the phone …%s of interpreter %s (leg %s%s)",
        call_id,
        tail,
        interpreter_id,
        leg_id,
        ", simulated" if voice is None else "",
    )
    if voice is None:
        token = sign_simulated_call(leg_id, setup.secret_key)
        log.info("on-demand call %s: play the simulated phone at %s", call_id, simulated_call_url(setup, leg_id, token))
        return True
    try:
        call_sid = voice.place_call(
            phone, f"{setup.public_url}{ESCALATION_VOICE_PATH}/{leg_id}", f"{setup.public_url}{STATUS_PATH}"
        )
    except VoiceUncertain:
        # Twilio may have placed it: the voice webhook adopts its CallSid if she picks up.
        log.warning("on-demand call %s: leg %s may be ringing without a known CallSid", call_id, leg_id)
        return True
    except VoiceError:
        end_unplaced(leg_id, PhoneLegStatus.FAILED, now)
        _end_unplaced_ring(ring_id, now, policy)
        return False
    accept_call_sid(leg_id, call_sid)
    return True


def simulated_call_url(setup: PhoneSetup, leg_id: int, token: str) -> str:
    """Where the simulated phone of an escalation leg is answered (no Twilio account)."""
    return f"{setup.public_url}{SIMULATED_CALL_PATH}/{leg_id}/{token}"


def phones_could_take(request: MatchRequest, link: ApplicantLink, pair: Iterable[str], now: datetime) -> bool:
    """Whether the escalation, run now for this request, would find an on-call interpreter to phone
    (her number, the engine's ranking and the list of countries RRIS may call, as `call_next_phone`)."""
    numbers = on_call_numbers(pair)
    candidates = set(numbers) - engaged_interpreters(numbers)
    if not candidates:
        return False
    return _first_callable(match_now(request, link, candidates, now), numbers, candidates, None) is not None


def _best_on_call(call: OnDemandCall, now: datetime, policy: OnDemandPolicy) -> tuple[int, str] | None:
    numbers = on_call_numbers(call.pair_key.split(":"))
    candidates = set(numbers) - engaged_interpreters(numbers) - not_to_phone(call.id)
    if not candidates:
        return None
    return _first_callable(rank_for(call, candidates, now, policy), numbers, candidates, call.id)


def _first_callable(
    ranking: MatchResult, numbers: Mapping[int, str], candidates: set[int], call_id: int | None
) -> tuple[int, str] | None:
    """The best-ranked of `candidates` whose number RRIS may call, with that number."""
    for match in ranking.matches:
        if match.interpreter_id not in candidates:
            continue
        phone = numbers[match.interpreter_id]
        check, _message = check_callable(phone)
        if check.refusal is None:
            return match.interpreter_id, phone
        log.info(
            "on-demand call %s: interpreter %s on call but not callable (%s)",
            call_id or "(asked)",
            match.interpreter_id,
            check.refusal,
        )
    return None


def _phone_ring_over(ring: OnDemandRing, now: datetime) -> bool:
    leg = ring.phone_leg
    if leg is None or leg_is_over(leg):
        return True
    return phone_ring_lapsed(ring.rung_at, leg.answered_at, now)


def _end_unplaced_ring(ring_id: int, now: datetime, policy: OnDemandPolicy) -> None:
    lock_on_demand()
    ring = db.session.get(OnDemandRing, ring_id, populate_existing=True)
    if ring is None or ring.ended_at is not None:
        db.session.rollback()
        return
    freed = end_rings([ring], RingOutcome.MISSED, now)
    back_to_waiting(ring.call)
    serve(freed | {ring.call.pair_key}, now, policy)
    db.session.commit()


def _phone_name(user: User) -> str:
    return _("%(name)s (phone)", name=name_in_call(user, CallRole.INTERPRETER))[:DISPLAY_NAME_MAX_CHARS]
