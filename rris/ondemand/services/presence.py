"""An interpreter switches "available now" on or off; her live page beats.

Switching on (or coming back after the beats stopped) serves the queues she works for at once;
switching off stops her ringing. A heartbeat of a reachable interpreter is one small UPDATE.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence import is_reachable, reachable_since
from rris.ondemand.domain.states import RingOutcome
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
        ringing = select(OnDemandRing).where(
            OnDemandRing.interpreter_id == interpreter_id, OnDemandRing.ended_at.is_(None)
        )
        rings = list(db.session.scalars(ringing))
        keys = end_rings(rings, RingOutcome.MISSED, now)
        for ring in rings:
            back_to_waiting(ring.call)
            keys.add(ring.call.pair_key)
        serve(keys, now, policy)
    db.session.commit()


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
