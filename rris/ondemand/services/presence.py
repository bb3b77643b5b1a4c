"""An interpreter switches "available now" on or off; her live page beats, and goes away.

Switching on (or coming back after the beats stopped) serves the queues she works for at once;
switching off stops her ringing. A heartbeat of a reachable interpreter is one small UPDATE, and
the beats of many pages (one signalling node's) are one UPDATE together (`heartbeats`). When her
last live page closes (`went_away`) she stops being reachable at once and her ring ends as missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence import is_reachable, reachable_since
from rris.ondemand.domain.states import RingChannel, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandRing
from rris.ondemand.services.dispatch import back_to_waiting, end_rings, lock_on_demand, queues_of, serve


def set_available(interpreter_id: int, available: bool, now: datetime, policy: OnDemandPolicy) -> None:
    """Switch "available now" on (counts as a heartbeat; her queues are served) or off (her ring stops)."""
    lock_on_demand()
    presence = db.session.get(InterpreterPresence, interpreter_id, populate_existing=True)
    if presence is None:
        presence = InterpreterPresence(interpreter_id=interpreter_id)
        db.session.add(presence)
    presence.available = available
    presence.changed_at = now
    if available:
        presence.last_heartbeat_at = now
        db.session.flush()
        serve(queues_of(interpreter_id), now, policy)
    else:
        _miss_her_rings(interpreter_id, now, policy)
    db.session.commit()


def went_away(interpreter_id: int, now: datetime, policy: OnDemandPolicy, left_at: datetime | None = None) -> None:
    """Her last live page closed (on one signalling node, at `left_at`): she is not reachable until
    a page of hers beats again, and the ring on her page ends as missed (the request rings the
    next interpreter). A beat written after `left_at` came from a page of hers on another node (a
    reload that reached another node, a second tab there): she did not go away."""
    lock_on_demand()
    presence = db.session.get(InterpreterPresence, interpreter_id, populate_existing=True)
    beat = presence.last_heartbeat_at if presence is not None else None
    if presence is None or (left_at is not None and beat is not None and beat > left_at):
        db.session.rollback()
        return
    presence.last_heartbeat_at = None
    _miss_her_rings(interpreter_id, now, policy)
    db.session.commit()


def _miss_her_rings(interpreter_id: int, now: datetime, policy: OnDemandPolicy) -> None:
    ringing = select(OnDemandRing).where(
        OnDemandRing.interpreter_id == interpreter_id,
        OnDemandRing.ended_at.is_(None),
        OnDemandRing.channel == RingChannel.PAGE,  # her phone may ring on: she is on call
    )
    rings = list(db.session.scalars(ringing))
    keys = end_rings(rings, RingOutcome.MISSED, now)
    for ring in rings:
        back_to_waiting(ring.call)
        keys.add(ring.call.pair_key)
    serve(keys, now, policy)


def heartbeats(interpreter_ids: Iterable[int], now: datetime, policy: OnDemandPolicy) -> set[int]:
    """The beats of several live pages at once; those of them who are available. The reachable
    ones are one UPDATE together; one back after a lapse is served as `heartbeat` serves her."""
    ids = sorted(set(interpreter_ids))
    if not ids:
        return set()
    begin_write()
    fresh = set(
        db.session.scalars(
            update(InterpreterPresence)
            .where(
                InterpreterPresence.interpreter_id.in_(ids),
                InterpreterPresence.available.is_(True),
                InterpreterPresence.last_heartbeat_at >= reachable_since(now, policy.heartbeat_seconds),
            )
            .values(last_heartbeat_at=now)
            .returning(InterpreterPresence.interpreter_id)
            .execution_options(synchronize_session=False)
        )
    )
    available = set(
        db.session.scalars(
            select(InterpreterPresence.interpreter_id).where(
                InterpreterPresence.interpreter_id.in_([i for i in ids if i not in fresh]),
                InterpreterPresence.available.is_(True),
            )
        )
    )
    db.session.commit()
    # Back after a lapse (or a closed page): rare, and each may ring at once.
    return fresh | {i for i in available if heartbeat(i, now, policy)}


def heartbeat(interpreter_id: int, now: datetime, policy: OnDemandPolicy) -> bool:
    """Her live page is still there; False when she is not available (the page should say so)."""
    begin_write()
    fresh = rows_changed(
        update(InterpreterPresence)
        .where(
            InterpreterPresence.interpreter_id == interpreter_id,
            InterpreterPresence.available.is_(True),
            InterpreterPresence.last_heartbeat_at >= reachable_since(now, policy.heartbeat_seconds),
        )
        .values(last_heartbeat_at=now)
    )
    db.session.commit()
    if fresh:
        return True
    # Not available, or back after her beats stopped: she may be rung again, so serve her queues.
    lock_on_demand()
    presence = db.session.get(InterpreterPresence, interpreter_id, populate_existing=True)
    if presence is None or not presence.available:
        db.session.rollback()
        return False
    if not is_reachable(True, presence.last_heartbeat_at, now, policy.heartbeat_seconds):
        presence.last_heartbeat_at = now
        db.session.flush()
        serve(queues_of(interpreter_id), now, policy)
    db.session.commit()
    return True
