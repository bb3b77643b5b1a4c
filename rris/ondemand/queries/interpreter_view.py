"""What an interpreter's own page and API read besides the live state (`rris.ondemand.services.live`):
whether she counts as reachable now, and one of her rings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rris.access.queries.scoping import NotVisible
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence import is_reachable
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandRing


@dataclass(frozen=True)
class Presence:
    """Whether an interpreter switched "available now" on, and whether her page still counts as there."""

    available: bool
    reachable: bool


def presence_of(interpreter_id: int, now: datetime, policy: OnDemandPolicy) -> Presence:
    """Her switch and her reachability at `now`."""
    record = db.session.get(InterpreterPresence, interpreter_id, populate_existing=True)
    if record is None:
        return Presence(available=False, reachable=False)
    reachable = is_reachable(record.available, record.last_heartbeat_at, now, policy.heartbeat_seconds)
    return Presence(available=record.available, reachable=reachable)


def own_ring(ring_id: int, interpreter_id: int) -> OnDemandRing:
    """One of her rings, live or ended; NotVisible for anyone else's (the page answers 404)."""
    ring = db.session.get(OnDemandRing, ring_id)
    if ring is None or ring.interpreter_id != interpreter_id:
        raise NotVisible(f"OnDemandRing {ring_id}")
    return ring
