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

from flask_babel import gettext as _

from rris.access.queries.actors import actor_of
from rris.common.domain.errors import Conflict
from rris.common.services.transactions import begin_write
from rris.common.services.wording import language_name, region_name
from rris.extensions import db
from rris.ondemand.domain.escalation import takes_the_call
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import RingOutcome
from rris.ondemand.models.ondemand import OnDemandRing
from rris.ondemand.queries.on_call import ring_of_leg
from rris.ondemand.services.answering import accept_ring, decline_ring
from rris.phone.models.phone_legs import PhoneLeg
from rris.phone.services.phone_callbacks import adopt_call
from rris.phone.services.phone_legs import leg_is_over, leg_ticket, locked_leg
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
    return None if ring is None else _offer(ring)


def phone_keys(
    leg_id: int, call_sid: str, digits: str | None, now: datetime, policy: OnDemandPolicy, secret_key: str
) -> PhoneAnswer | None:
    """She pressed `digits` after the prompt: 1 takes the call (JOINED, with the leg ticket signed
    with `secret_key`), anything else declines it; TAKEN when it is no longer hers to take."""
    ring = _ring_answered(leg_id, call_sid, now)
    return None if ring is None else _keys(ring, digits, now, policy, secret_key)


def simulated_offer(leg_id: int, now: datetime) -> PhoneAnswer | None:
    """`phone_offer` for the simulated phone of a leg placed without Twilio."""
    ring = _simulated_ring(leg_id, now)
    return None if ring is None else _offer(ring)


def prompt_sentence(answer: PhoneAnswer) -> str:
    """What the phone says to offer the call, in the current language ("... a Pashto call for Serbia")."""
    return _(
        "An interpreter is needed now. Press 1 to take a %(language)s call for %(country)s.",
        language=language_name(answer.language),
        country=region_name(answer.country),
    )


def closing_sentence(answer: PhoneAnswer) -> str:
    """What the phone says before hanging up when she does not join, in the current language."""
    if answer.outcome is PhoneOutcome.DECLINED:
        return _("Thank you. Another interpreter will be called.")
    return answer.reason or _("Thank you. This call has already been taken by another interpreter. Goodbye.")


def _offer(ring: OnDemandRing) -> PhoneAnswer:
    booking = ring.call.booking
    outcome = PhoneOutcome.OFFER if ring.ended_at is None else PhoneOutcome.TAKEN
    answer = PhoneAnswer(outcome, language=booking.applicant_language, country=booking.country.code)
    db.session.commit()
    return answer


def simulated_keys(
    leg_id: int, digits: str | None, now: datetime, policy: OnDemandPolicy, secret_key: str
) -> PhoneAnswer | None:
    """`phone_keys` for the simulated phone of a leg placed without Twilio."""
    ring = _simulated_ring(leg_id, now)
    return None if ring is None else _keys(ring, digits, now, policy, secret_key)


def _keys(
    ring: OnDemandRing, digits: str | None, now: datetime, policy: OnDemandPolicy, secret_key: str
) -> PhoneAnswer:
    if ring.outcome is RingOutcome.ACCEPTED:  # the request came again: the same answer
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


def _simulated_ring(leg_id: int, now: datetime) -> OnDemandRing | None:
    """The ring of this simulated leg, the leg marked answered; None for any other leg."""
    begin_write()
    leg = locked_leg(leg_id)
    if leg is None or not leg.simulated or ring_of_leg(leg_id) is None:
        db.session.commit()
        return None
    if leg.answered_at is None and not leg_is_over(leg):
        leg.answered_at = now
    db.session.commit()
    return ring_of_leg(leg_id)


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
