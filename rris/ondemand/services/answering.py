"""An interpreter answers or declines a ring; the call connects and ends; unanswered rings expire.

Accepting gives the call an `Assignment` holding the maximum length from now
(`rris.ondemand.domain.holds`): the database refuses it when she holds another job or call at
that time, so two officers never get her, whatever races. It also gives the booking its call
room and dial-in PIN, so the two call pages that open next issue their join tickets without a
write of their own. Hanging up shrinks the hold to what
the call lasted and serves the queues she works for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rris.access.domain.permissions import Actor
from rris.bookings.domain.booking_states import BookingAction, next_state
from rris.bookings.models.bookings import Assignment
from rris.bookings.services.booking_events import record_event
from rris.calls.services.call_access import make_call_room
from rris.common.domain.errors import Conflict, Forbidden
from rris.common.services.transactions import lock_interpreter
from rris.extensions import db
from rris.ondemand.domain.holds import final_hold, provisional_hold
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence import reachable_since
from rris.ondemand.domain.states import LIVE_STATES, CallState, RingChannel, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall, OnDemandRing
from rris.ondemand.queries.queue import live_rings
from rris.ondemand.services.dispatch import back_to_waiting, end_rings, lock_on_demand, queues_of, serve
from rris.ondemand.services.requests import visible_call


def accept_ring(ring_id: int, actor: Actor, now: datetime, policy: OnDemandPolicy) -> OnDemandCall:
    """The interpreter takes the call: the first to accept wins; the other rings stop at once."""
    lock_on_demand()
    ring = _own_ring(ring_id, actor)
    call = ring.call
    if ring.ended_at is not None:
        db.session.rollback()
        raise Conflict(_("This call was answered by another interpreter or has ended."))
    hold = provisional_hold(now, policy.max_minutes)
    booking = call.booking
    lock_interpreter(ring.interpreter_id)
    assignment = Assignment(
        booking_id=booking.id,
        leg=1,
        interpreter_id=ring.interpreter_id,
        busy_from=hold.start,
        busy_until=hold.end,
        assigned_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except IntegrityError:
        # Another job or call of hers holds this time (a scheduled session accepted meanwhile).
        freed = end_rings([ring], RingOutcome.MISSED, now)
        back_to_waiting(call)
        serve(freed | {call.pair_key}, now, policy)
        db.session.commit()
        raise Conflict(_("You have another job at this time, so this call went to someone else.")) from None
    freed = end_rings(live_rings(call.id), RingOutcome.STOPPED, now)
    ring.outcome = RingOutcome.ACCEPTED
    call.state = CallState.ANSWERED
    call.answered_at = now
    call.interpreter_id = ring.interpreter_id
    before = booking.state
    booking.state = next_state(before, BookingAction.ASSIGN)
    booking.starts_at, booking.ends_at = hold.start, hold.end
    booking.confirmed_at = booking.updated_at = now
    record_event(booking, BookingAction.ASSIGN.value, now, actor.user_id, before, booking.state)
    make_call_room(booking)  # both call pages open next: they only read
    serve(freed, now, policy)
    db.session.commit()
    return call


def decline_ring(ring_id: int, actor: Actor, now: datetime, policy: OnDemandPolicy) -> OnDemandCall:
    """The interpreter lets this call go: she is not rung for it again, and may be rung for another."""
    lock_on_demand()
    ring = _own_ring(ring_id, actor)
    call = ring.call
    if ring.ended_at is not None:
        db.session.rollback()
        raise Conflict(_("This call was answered by another interpreter or has ended."))
    freed = end_rings([ring], RingOutcome.DECLINED, now)
    back_to_waiting(call)
    serve(freed | {call.pair_key}, now, policy)
    db.session.commit()
    return call


def expire_rings(now: datetime, policy: OnDemandPolicy) -> int:
    """End rings unanswered for `ring_seconds` or whose interpreter's page stopped beating, and ring
    the next; how many ended. The scheduler calls it every two seconds (`scheduler.jobs.expire_rings`)."""
    lock_on_demand()
    unanswered_since = now - timedelta(seconds=policy.ring_seconds)
    lapsed = set(
        db.session.scalars(
            select(InterpreterPresence.interpreter_id).where(
                (InterpreterPresence.available.is_(False))
                | (InterpreterPresence.last_heartbeat_at < reachable_since(now, policy.heartbeat_seconds))
            )
        )
    )
    # A phone ring (the escalation) lasts longer and needs no page: `phone_escalation` ends it.
    rings = list(
        db.session.scalars(
            select(OnDemandRing).where(OnDemandRing.ended_at.is_(None), OnDemandRing.channel == RingChannel.PAGE)
        )
    )
    stale = [r for r in rings if r.rung_at <= unanswered_since or r.interpreter_id in lapsed]
    freed = end_rings(stale, RingOutcome.MISSED, now)
    for ring in stale:
        back_to_waiting(ring.call)
        freed.add(ring.call.pair_key)
    serve(freed, now, policy)
    db.session.commit()
    return len(stale)


def mark_connected(call_id: int, now: datetime) -> OnDemandCall:
    """Both are in the call (the signalling service says so): the session starts."""
    lock_on_demand()
    call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
    if call.state is not CallState.ANSWERED:
        db.session.rollback()
        return call  # a repeated or late report changes nothing
    call.state = CallState.CONNECTED
    call.connected_at = now
    booking = call.booking
    before = booking.state
    booking.state = next_state(before, BookingAction.START)
    booking.updated_at = now
    record_event(booking, BookingAction.START.value, now, None, before, booking.state)
    db.session.commit()
    return call


def connected_in_booking(booking_id: int, now: datetime) -> bool:
    """The officer and the interpreter are both in the call of this booking (the signalling service
    says so): `mark_connected` when it is an answered on-demand call; False for any other booking."""
    call_id = db.session.scalar(
        select(OnDemandCall.id).where(OnDemandCall.booking_id == booking_id, OnDemandCall.state == CallState.ANSWERED)
    )
    db.session.rollback()
    if call_id is None:
        return False
    mark_connected(call_id, now)
    return True


def hang_up(call_id: int, actor: Actor, now: datetime, policy: OnDemandPolicy) -> OnDemandCall:
    """The officer or the interpreter ends the call: its hold shrinks to what it lasted and the
    queues she serves are served. A call answered but never connected ends as a technical failure."""
    lock_on_demand()
    if actor.interpreter_id is not None:
        call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
        if call.interpreter_id != actor.interpreter_id:
            db.session.rollback()
            raise Forbidden(_("Only the interpreter in this call or its officers may end it."))
    else:
        call = visible_call(call_id, actor, now)
    if call.state not in LIVE_STATES:
        db.session.rollback()
        raise Conflict(_("This call has already ended."))
    _end(call, actor.user_id, now, policy)
    return call


def end_deserted(booking_id: int, now: datetime, policy: OnDemandPolicy) -> bool:
    """Everyone left the call of this booking and nobody came back in time (the signalling service
    says so): the system ends it as `hang_up` would, when it is a live on-demand call. False otherwise."""
    call_id = db.session.scalar(
        select(OnDemandCall.id).where(OnDemandCall.booking_id == booking_id, OnDemandCall.state.in_(LIVE_STATES))
    )
    db.session.rollback()
    if call_id is None:
        return False
    lock_on_demand()
    call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
    if call.state not in LIVE_STATES:
        db.session.rollback()
        return False  # hung up meanwhile
    _end(call, None, now, policy)
    return True


def end_unjoined(now: datetime, policy: OnDemandPolicy) -> int:
    """End as technical failures, by the system, the calls answered `join_minutes` ago or more in
    which the officer and the interpreter never connected: her hold shrinks and the queues she
    serves are served. How many ended. The scheduler calls it every two seconds."""
    answered_before = now - timedelta(minutes=policy.join_minutes)
    call_ids = list(
        db.session.scalars(
            select(OnDemandCall.id).where(
                OnDemandCall.state == CallState.ANSWERED, OnDemandCall.answered_at <= answered_before
            )
        )
    )
    db.session.rollback()
    ended = 0
    for call_id in call_ids:
        lock_on_demand()
        call = db.session.get_one(OnDemandCall, call_id, populate_existing=True)
        if call.state is not CallState.ANSWERED:
            db.session.rollback()  # connected or hung up meanwhile
            continue
        _end(call, None, now, policy)
        ended += 1
    return ended


def _end(call: OnDemandCall, user_id: int | None, now: datetime, policy: OnDemandPolicy) -> None:
    """End a live call (by this user, or by the system when None) and commit."""
    booking = call.booking
    action = BookingAction.COMPLETE if call.state is CallState.CONNECTED else BookingAction.MARK_TECHNICAL_FAILURE
    assignment = booking.active_assignments[0]
    hold = final_hold(assignment.busy_from, now)
    assignment.busy_until = hold.end
    call.state = CallState.ENDED
    call.ended_at = now
    before = booking.state
    booking.state = next_state(before, action)
    booking.ends_at = hold.end
    booking.updated_at = now
    record_event(booking, action.value, now, user_id, before, booking.state)
    db.session.flush()
    serve(queues_of(assignment.interpreter_id), now, policy)
    db.session.commit()


def _own_ring(ring_id: int, actor: Actor) -> OnDemandRing:
    ring = db.session.get(OnDemandRing, ring_id, populate_existing=True)
    if ring is None or actor.interpreter_id is None or ring.interpreter_id != actor.interpreter_id:
        db.session.rollback()
        raise Forbidden(_("Only the interpreter rung may answer this call."))
    return ring
