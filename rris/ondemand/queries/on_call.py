"""Interpreters on call by telephone, and the phone rings of requests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select

from rris.accounts.models.accounts import User
from rris.extensions import db
from rris.ondemand.domain.states import OPEN_STATES, RingChannel, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall, OnDemandRing
from rris.pool.models.interpreters import InterpreterProfile, LanguagePair


def is_phone_on_call(interpreter_id: int) -> bool:
    """True when the interpreter agreed to be called on her phone for unanswered requests."""
    return bool(
        db.session.scalar(
            select(InterpreterPresence.phone_on_call).where(InterpreterPresence.interpreter_id == interpreter_id)
        )
    )


def on_call_numbers(pair: Iterable[str]) -> dict[int, str]:
    """Interpreters on call who work this language pair, with the verified number to call."""
    first, second = sorted(pair)
    statement = (
        select(InterpreterPresence.interpreter_id, User.phone)
        .join(InterpreterProfile, InterpreterProfile.id == InterpreterPresence.interpreter_id)
        .join(User, User.id == InterpreterProfile.user_id)
        .where(
            InterpreterPresence.phone_on_call.is_(True),
            User.active.is_(True),
            User.phone.is_not(None),
            User.phone_verified_at.is_not(None),
            InterpreterPresence.interpreter_id.in_(
                select(LanguagePair.interpreter_id).where(
                    LanguagePair.language_a == first, LanguagePair.language_b == second
                )
            ),
        )
    )
    return {interpreter_id: phone for interpreter_id, phone in db.session.execute(statement) if phone}


def calls_waiting_since(instant: datetime) -> list[int]:
    """Open requests made at or before `instant`, oldest first."""
    statement = (
        select(OnDemandCall.id)
        .where(OnDemandCall.state.in_(OPEN_STATES), OnDemandCall.requested_at <= instant)
        .order_by(OnDemandCall.requested_at, OnDemandCall.id)
    )
    return list(db.session.scalars(statement))


def live_phone_rings(call_id: int | None = None) -> list[OnDemandRing]:
    """Phone rings still ringing (of one request, given `call_id`)."""
    statement = select(OnDemandRing).where(OnDemandRing.ended_at.is_(None), OnDemandRing.channel == RingChannel.PHONE)
    if call_id is not None:
        statement = statement.where(OnDemandRing.call_id == call_id)
    return list(db.session.scalars(statement.order_by(OnDemandRing.id)))


def not_to_phone(call_id: int) -> set[int]:
    """Interpreters whose phone is not called for this request: called once already, or declined
    it on their page (one who merely missed the page ring may be away from it: her phone is asked)."""
    statement = select(OnDemandRing.interpreter_id).where(
        OnDemandRing.call_id == call_id,
        or_(OnDemandRing.channel == RingChannel.PHONE, OnDemandRing.outcome == RingOutcome.DECLINED),
    )
    return set(db.session.scalars(statement))


def ring_of_leg(leg_id: int) -> OnDemandRing | None:
    """The phone ring a telephone leg was placed for, read fresh; None for any other leg."""
    statement = select(OnDemandRing).where(OnDemandRing.phone_leg_id == leg_id)
    return db.session.scalars(statement.execution_options(populate_existing=True)).one_or_none()
