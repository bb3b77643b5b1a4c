"""An on-call interpreter picks up her phone: the prompt it plays, and the key she presses.

Pressing 1 takes the call through `accept_ring`, exactly as a page's Accept: the first acceptance
wins (the queue's lock and the database's overlap guarantee), and the winner's phone is bridged
into the call with its leg ticket. Any other key declines (the escalation goes on to the next
interpreter); pressing 1 too late gets a polite "already taken" and no bridge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rris.access.queries.actors import actor_of
from rris.common.domain.errors import Conflict
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.ondemand.domain.escalation import takes_the_call
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import RingOutcome
from rris.ondemand.models.ondemand import OnDemandRing
from rris.ondemand.queries.on_call import ring_of_leg
from rris.ondemand.services.answering import accept_ring, decline_ring
from rris.phone.models.phone_legs import PhoneLeg
from rris.phone.services.phone_callbacks import adopt_call
from rris.phone.services.phone_legs import leg_ticket, locked_leg
from rris.pool.models.interpreters import InterpreterProfile


class PhoneOutcome(StrEnum):
    """What the person on the phone hears next."""

    OFFER = "offer"  # the prompt: press 1 to take the call
    JOINED = "joined"  # she took it: her phone joins the call
    DECLINED = "declined"  # she let it go: goodbye
    TAKEN = "taken"  # someone else took it, or the request ended: goodbye


@dataclass(frozen=True)
class PhoneAnswer:
    """The outcome, with what the prompt names (the applicant's language, the booking's country),
    the leg ticket when she joins, and the reason when the call could not be hers."""

    outcome: PhoneOutcome
    language: str = ""
    country: str = ""
    ticket: str | None = None
    reason: str | None = None


def phone_offer(leg_id: int, call_sid: str, now: datetime) -> PhoneAnswer | None:
    """What the escalated call's phone says when she picks up; None for a leg that is not one
    (or another call's CallSid): the webhook refuses it."""
    ring = _ring_answered(leg_id, call_sid, now)
    if ring is None:
        return None
    booking = ring.call.booking
    outcome = PhoneOutcome.OFFER if ring.ended_at is None else PhoneOutcome.TAKEN
    answer = PhoneAnswer(outcome, language=booking.applicant_language, country=booking.country.code)
    db.session.commit()
    return answer


def phone_keys(
    leg_id: int, call_sid: str, digits: str | None, now: datetime, policy: OnDemandPolicy, secret_key: str
) -> PhoneAnswer | None:
    """She pressed `digits` after the prompt: 1 takes the call (JOINED, with the leg ticket signed
    with `secret_key`), anything else declines it; TAKEN when it is no longer hers to take."""
    ring = _ring_answered(leg_id, call_sid, now)
    if ring is None:
        return None
    if ring.outcome is RingOutcome.ACCEPTED:  # Twilio repeated the request: the same answer
        return _joined(ring, secret_key)
    was_live = ring.ended_at is None
    actor = actor_of(db.session.get_one(InterpreterProfile, ring.interpreter_id).user)
    ring_id = ring.id
    db.session.commit()
    try:
        if not takes_the_call(digits):
            decline_ring(ring_id, actor, now, policy)
            return PhoneAnswer(PhoneOutcome.DECLINED)
        accept_ring(ring_id, actor, now, policy)
    except Conflict as lost:
        # Lost to another interpreter; or, while it rang, she took another job: say which.
        return PhoneAnswer(PhoneOutcome.TAKEN, reason=None if not was_live else str(lost))
    return _joined(db.session.get_one(OnDemandRing, ring_id), secret_key)


def _ring_answered(leg_id: int, call_sid: str, now: datetime) -> OnDemandRing | None:
    """The ring of this leg, its call adopted and marked answered; None for any other leg."""
    if adopt_call(leg_id, call_sid, now) is None:
        # Over already (hung up as she picked up, in a race): a known call hears a polite goodbye.
        ring = ring_of_leg(leg_id)
        known = ring is not None and ring.phone_leg is not None and call_sid and ring.phone_leg.call_sid == call_sid
        db.session.commit()
        return ring if known and ring is not None and ring.ended_at is not None else None
    if ring_of_leg(leg_id) is None:
        db.session.commit()
        return None
    begin_write()
    leg = locked_leg(leg_id)
    if leg is not None and leg.answered_at is None:
        leg.answered_at = now  # she picked up: the ring no longer lapses by the clock
    db.session.commit()
    return ring_of_leg(leg_id)


def _joined(ring: OnDemandRing, secret_key: str) -> PhoneAnswer:
    leg = db.session.get_one(PhoneLeg, ring.phone_leg_id)
    ticket = leg_ticket(leg, secret_key)
    db.session.commit()
    return PhoneAnswer(PhoneOutcome.JOINED, ticket=ticket)
