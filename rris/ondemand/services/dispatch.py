"""Serving the queues: under one lock, ring the best free reachable interpreters for the oldest requests.

Every on-demand use case takes `lock_on_demand` before it reads what it decides on, and calls
`serve` before it commits, so rings go out in arrival order and no interpreter rings for two
requests (also a partial unique index on live rings). SQLite serialises writers anyway; on
PostgreSQL a transaction-scoped advisory lock does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import text

from rris.bookings.queries.applicant_links import ApplicantLink, booking_link
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.matching.domain.engine import MatchResult, match
from rris.matching.domain.snapshots import Interval, MatchRequest
from rris.matching.queries.candidates import candidate_snapshots
from rris.matching.services.booking_matching import request_for_booking
from rris.ondemand.domain.holds import provisional_hold
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.queueing import to_ring
from rris.ondemand.domain.states import CallState, RingChannel, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.queries.presence import engaged_interpreters, pairs_of, reachable_interpreters
from rris.ondemand.queries.queue import live_rings, open_calls, pair_key, refused_by

LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.ondemand.queue").digest()[:8], "big", signed=True)


def lock_on_demand() -> None:
    """Start the write transaction of an on-demand use case, queued behind any other."""
    begin_write()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def now_request(request: MatchRequest, now: datetime, policy: OnDemandPolicy) -> MatchRequest:
    """The engine's request for a call starting now: it holds no rest gap, and the maximum length
    from whenever within the ring's span she accepts, so whoever is rung can take it."""
    latest_accept = now + timedelta(seconds=policy.ring_seconds)
    interval = Interval(now, provisional_hold(latest_accept, policy.max_minutes).end)
    return replace(request, interval=interval, holds_rest_gap=False)


def match_now(request: MatchRequest, link: ApplicantLink, interpreter_ids: Iterable[int], now: datetime) -> MatchResult:
    """The engine's ranking of these interpreters for a call starting now (`now_request`)."""
    ids = list(interpreter_ids)
    if not ids:
        return MatchResult(matches=())
    pair = frozenset((request.applicant_language, request.officer_language))
    candidates = candidate_snapshots(request.interval, now, pairs=[pair], interpreter_ids=ids, applicant=link)
    return match(request, candidates, now)


def rank_for(call: OnDemandCall, interpreter_ids: Iterable[int], now: datetime, policy: OnDemandPolicy) -> MatchResult:
    """The engine's ranking of these interpreters for an open request, its call starting now."""
    booking = call.booking
    link = booking_link(booking)
    return match_now(now_request(request_for_booking(booking, 1, link), now, policy), link, interpreter_ids, now)


def serve(
    keys: Iterable[str], now: datetime, policy: OnDemandPolicy, ranked: Mapping[int, MatchResult] | None = None
) -> None:
    """Ring free reachable interpreters for the open requests of these queues, oldest first.

    `ranked` holds the engine's ranking of a request made at this `now` among interpreters who
    include everyone free to ring for it (the caller just made it): its candidates are not read
    again. The engine judges and scores each interpreter on her own, so a wider ranking filtered to
    who is free (`to_ring`) rings exactly whom a ranking of those alone would."""
    ranked = ranked or {}
    calls = open_calls(set(keys))
    if not calls:
        return
    pairs = {call.pair_key: frozenset(call.pair_key.split(":")) for call in calls}
    reachable = reachable_interpreters(now, policy.heartbeat_seconds, pairs.values())
    free = reachable - engaged_interpreters(reachable)
    for call in calls:
        if not free:
            break
        # A phone ring of the escalation takes no page's place: the pages go on ringing as many.
        slots = policy.rings_at_once - sum(ring.channel is RingChannel.PAGE for ring in live_rings(call.id))
        refused = refused_by(call.id)
        if slots <= 0 or not free - refused:
            continue
        result = ranked[call.id] if call.id in ranked else rank_for(call, free - refused, now, policy)
        for interpreter_id in to_ring(result, free, refused, slots):
            db.session.add(OnDemandRing(call=call, interpreter_id=interpreter_id, rung_at=now))
            free.discard(interpreter_id)
            call.state = CallState.RINGING
            call.first_ring_at = call.first_ring_at or now
    db.session.flush()


def end_rings(rings: Iterable[OnDemandRing], outcome: RingOutcome, now: datetime) -> set[str]:
    """End these rings with `outcome`; the queues their interpreters serve (now free to ring again)."""
    keys: set[str] = set()
    for ring in rings:
        ring.ended_at = now
        ring.outcome = outcome
        keys.update(queues_of(ring.interpreter_id))
    db.session.flush()
    return keys


def back_to_waiting(call: OnDemandCall) -> None:
    """A ringing request whose rings all ended waits again in its queue."""
    if call.state is CallState.RINGING and not live_rings(call.id):
        call.state = CallState.WAITING


def queues_of(interpreter_id: int) -> set[str]:
    """The queues an interpreter can serve: one per language pair she works in."""
    return {pair_key(pair) for pair in pairs_of(interpreter_id)}
