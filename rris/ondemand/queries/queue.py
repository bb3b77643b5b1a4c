"""The queues of on-demand requests, one per language pair, in arrival order; recent answer times."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select

from rris.extensions import db
from rris.ondemand.domain.states import OPEN_STATES, REFUSALS
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing


def pair_key(pair: Iterable[str]) -> str:
    """The queue's name of a language pair: its two codes sorted, joined by a colon."""
    return ":".join(sorted(pair))


def open_calls(pair_keys: Iterable[str]) -> list[OnDemandCall]:
    """Waiting and ringing requests of these queues, oldest first (arrival order)."""
    keys = list(pair_keys)
    if not keys:
        return []
    statement = (
        select(OnDemandCall)
        .where(OnDemandCall.pair_key.in_(keys), OnDemandCall.state.in_(OPEN_STATES))
        .order_by(OnDemandCall.requested_at, OnDemandCall.id)
    )
    return list(db.session.scalars(statement))


def position_in_queue(call: OnDemandCall) -> int:
    """1 + the open requests of the same queue that arrived before `call`."""
    earlier = db.session.scalar(
        select(func.count())
        .select_from(OnDemandCall)
        .where(
            OnDemandCall.pair_key == call.pair_key,
            OnDemandCall.state.in_(OPEN_STATES),
            (OnDemandCall.requested_at < call.requested_at)
            | ((OnDemandCall.requested_at == call.requested_at) & (OnDemandCall.id < call.id)),
        )
    )
    return 1 + (earlier or 0)


def live_rings(call_id: int) -> list[OnDemandRing]:
    """The rings of a request still ringing."""
    statement = select(OnDemandRing).where(OnDemandRing.call_id == call_id, OnDemandRing.ended_at.is_(None))
    return list(db.session.scalars(statement.order_by(OnDemandRing.id)))


def refused_by(call_id: int) -> set[int]:
    """Interpreters who declined or missed this request: not rung for it again."""
    statement = select(OnDemandRing.interpreter_id).where(
        OnDemandRing.call_id == call_id, OnDemandRing.outcome.in_(REFUSALS)
    )
    return set(db.session.scalars(statement))


def recent_answer_times(key: str, sample: int) -> list[timedelta]:
    """How long the last `sample` answered requests of a queue waited, request to answer."""
    rows = db.session.execute(
        select(OnDemandCall.requested_at, OnDemandCall.answered_at)
        .where(OnDemandCall.pair_key == key, OnDemandCall.answered_at.is_not(None))
        .order_by(OnDemandCall.answered_at.desc(), OnDemandCall.id.desc())
        .limit(sample)
    )
    return [answered - requested for requested, answered in rows]
