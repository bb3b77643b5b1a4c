"""Who is reachable now, and who is already ringing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, or_, select

from rris.extensions import db
from rris.ondemand.domain.presence import reachable_since
from rris.ondemand.domain.states import LIVE_STATES
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall, OnDemandRing
from rris.pool.models.interpreters import LanguagePair


def reachable_interpreters(now: datetime, heartbeat_seconds: int, pairs: Iterable[frozenset[str]]) -> set[int]:
    """Interpreters available now whose page beat within the span and who work one of `pairs`."""
    wanted = [sorted(pair) for pair in pairs]
    if not wanted:
        return set()
    statement = select(InterpreterPresence.interpreter_id).where(
        InterpreterPresence.available.is_(True),
        InterpreterPresence.last_heartbeat_at >= reachable_since(now, heartbeat_seconds),
        InterpreterPresence.interpreter_id.in_(
            select(LanguagePair.interpreter_id).where(
                or_(*[and_(LanguagePair.language_a == a, LanguagePair.language_b == b) for a, b in wanted])
            )
        ),
    )
    return set(db.session.scalars(statement))


def engaged_interpreters(among: Iterable[int]) -> set[int]:
    """Those of `among` whose page rings for some request now, or who are in an on-demand call."""
    ids = list(among)
    if not ids:
        return set()
    ringing = select(OnDemandRing.interpreter_id).where(
        OnDemandRing.ended_at.is_(None), OnDemandRing.interpreter_id.in_(ids)
    )
    in_call = select(OnDemandCall.interpreter_id).where(
        OnDemandCall.state.in_(LIVE_STATES), OnDemandCall.interpreter_id.in_(ids)
    )
    return set(db.session.scalars(ringing)) | {i for i in db.session.scalars(in_call) if i is not None}


def pairs_of(interpreter_id: int) -> list[frozenset[str]]:
    """The language pairs an interpreter works in."""
    rows = db.session.execute(
        select(LanguagePair.language_a, LanguagePair.language_b).where(LanguagePair.interpreter_id == interpreter_id)
    )
    return [frozenset(row) for row in rows]
