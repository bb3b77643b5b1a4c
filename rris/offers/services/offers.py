"""Offers: waves of them, the first acceptance winning atomically, declines and expiry.

Every function here starts its own write transaction and commits it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from rris.access.queries.scoping import NotVisible
from rris.bookings.domain.booking_states import BookingAction, next_state
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.bookings.services.booking_events import record_event
from rris.common.domain.errors import Conflict
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write, lock_booking, lock_interpreter_profile
from rris.enums import BookingState, OfferState
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.engine import MatchResult
from rris.matching.domain.snapshots import Interval
from rris.matching.services.booking_matching import match_leg, recheck_leg
from rris.matching.services.wording import rejections_text
from rris.notifications.services.notifications import sync_booking_notifications
from rris.offers.domain.waves import WavePolicy
from rris.offers.services.offer_requests import DECLINE_REASON_MAX_CHARS
from rris.pool.models.interpreters import InterpreterProfile

log = logging.getLogger(__name__)

# A booking someone accepted: confirmed, and later started and completed by the scheduler.
_FILLED = frozenset({BookingState.CONFIRMED, BookingState.IN_PROGRESS, BookingState.COMPLETED})


def send_wave(
    booking: Booking,
    now: datetime,
    waves: WavePolicy,
    actor_id: int | None = None,
    ranked: dict[int, MatchResult] | None = None,
) -> int:
    """Offer every leg still without an interpreter to the next best candidates; the caller commits.

    Interpreters offered this version of the booking before are not asked again. A leg with no
    one left and no offer pending makes the booking unfilled. `ranked` may carry a fresh ranking
    per leg to reuse. Returns how many offers went out.
    """
    if booking.starts_at <= now:
        withdraw_pending(booking, now)
        _move(booking, BookingAction.EXHAUST, now, actor_id, _("The session started before anyone accepted."))
        return 0
    booking.offer_wave += 1
    sent = 0
    exhausted = False
    for leg in range(1, booking.leg_count + 1):
        if booking.leg_assigned(leg):
            continue
        asked = {
            offer.interpreter_id
            for offer in booking.offers
            if offer.booking_version == booking.version and offer.leg == leg
        }
        pending = _pending(booking, leg)
        result = ranked[leg] if ranked and leg in ranked else match_leg(booking, leg, now)
        fresh = [m for m in result.matches if m.interpreter_id not in asked]
        with db.session.no_autoflush:  # reads only the pool: the booking's changes so far go out together later
            offered = _with_accounts([candidate.interpreter_id for candidate in fresh[: waves.size]])
        for rank, candidate in enumerate(fresh[: waves.size], start=1):
            db.session.add(
                Offer(
                    booking=booking,
                    booking_version=booking.version,
                    leg=leg,
                    interpreter=offered[candidate.interpreter_id],
                    wave=booking.offer_wave,
                    rank=rank,
                    score=round(candidate.score),
                    state=OfferState.PENDING,
                    offered_at=now,
                    expires_at=waves.expires_at(now, booking.starts_at),
                )
            )
            sent += 1
        if not fresh and not pending:
            exhausted = True
    if exhausted:
        withdraw_pending(booking, now)
        _move(booking, BookingAction.EXHAUST, now, actor_id, _("No interpreter left to ask."))
    elif sent:
        _move(
            booking,
            BookingAction.OFFER,
            now,
            actor_id,
            ngettext("Wave %(wave)d: %(num)d offer.", "Wave %(wave)d: %(num)d offers.", sent, wave=booking.offer_wave),
        )
    return sent


def _with_accounts(interpreter_ids: list[int]) -> dict[int, InterpreterProfile]:
    """The interpreters about to be offered a job, with their accounts, in one query (each offer is messaged)."""
    if not interpreter_ids:
        return {}
    found = db.session.scalars(
        select(InterpreterProfile)
        .where(InterpreterProfile.id.in_(interpreter_ids))
        .options(joinedload(InterpreterProfile.user))
    )
    return {profile.id: profile for profile in found}


def accept_offer(offer_id: int, interpreter: InterpreterProfile, now: datetime) -> Booking:
    """The interpreter takes the job: first acceptance wins, the other offers for the leg are withdrawn."""
    interpreter_id = interpreter.id  # read before `begin_write` expires it
    begin_write()
    offer, booking = _own_offer(offer_id, interpreter_id)
    _guard_pending(offer, booking, now)
    interpreter = lock_interpreter_profile(interpreter_id)  # read again with the lock, account included
    name = interpreter.name  # read before the first change, so the changes reach the database in one flush
    check = recheck_leg(booking, offer.leg, interpreter.id, now)
    if not check.matches:
        reasons = rejections_text(check.rejections.get(interpreter.id, ()))
        db.session.rollback()
        raise Conflict(_("You can no longer take this job: %(reasons)s", reasons=reasons))
    try:
        assign_interpreter(booking, offer.leg, interpreter, now, assigned_by_id=interpreter.user_id, manual=False)
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You have another job at that time now.")) from None
    offer.state = OfferState.ACCEPTED
    offer.responded_at = now
    withdraw_pending(booking, now, offer.leg)
    if booking.fully_assigned:
        booking.confirmed_at = now
        _move(booking, BookingAction.ACCEPT, now, interpreter.user_id, _("%(name)s accepted.", name=name))
    else:
        record_event(booking, "accepted", now, interpreter.user_id, note=_("%(name)s accepted one leg.", name=name))
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking


def decline_offer(
    offer_id: int, interpreter: InterpreterProfile, reason: str, now: datetime, waves: WavePolicy
) -> Booking:
    """The interpreter says no (with a reason); when no offer for the leg is left, the next wave goes out."""
    reason = required_text(
        reason, "reason", _("Say briefly why, so the coordinators can plan."), DECLINE_REASON_MAX_CHARS
    )
    begin_write()
    offer, booking = _own_offer(offer_id, interpreter.id)
    _guard_pending(offer, booking, now)
    offer.state = OfferState.DECLINED
    offer.responded_at = now
    offer.decline_reason = reason
    record_event(booking, "declined", now, interpreter.user_id, note=reason)
    if not _pending(booking, offer.leg) and not booking.leg_assigned(offer.leg):
        send_wave(booking, now, waves)
    sync_booking_notifications(booking, now)
    db.session.commit()
    return booking


def expire_offers(now: datetime, waves: WavePolicy) -> int:
    """Expire offers whose time ran out and send the next wave where a leg has none left; returns how many expired."""
    due = Offer.state == OfferState.PENDING, Offer.expires_at <= now
    if db.session.scalar(select(Offer.id).where(*due).limit(1)) is None:
        db.session.commit()
        return 0  # polled every few seconds: take the write lock only when there is work
    begin_write()
    booking_ids = sorted(set(db.session.scalars(select(Offer.booking_id).where(*due))))
    expired = 0
    for booking_id in booking_ids:  # bookings locked in id order, each before its offers
        booking = lock_booking(booking_id)
        for offer in booking.offers:
            if offer.state is OfferState.PENDING and offer.expires_at <= now:
                offer.state = OfferState.EXPIRED
                offer.responded_at = now
                expired += 1
        if booking.state is BookingState.OFFERED and any(
            not _pending(booking, leg) and not booking.leg_assigned(leg) for leg in range(1, booking.leg_count + 1)
        ):
            send_wave(booking, now, waves)
        sync_booking_notifications(booking, now)
    db.session.commit()
    return expired


def assign_interpreter(
    booking: Booking, leg: int, interpreter: InterpreterProfile, now: datetime, assigned_by_id: int | None, manual: bool
) -> Assignment:
    """Give `leg` to the interpreter, busy for the session plus their rest gap; the caller commits.

    The database refuses an overlap with another of their jobs (IntegrityError at the flush).
    """
    busy = busy_interval(Interval(booking.starts_at, booking.ends_at), interpreter.rest_gap_minutes)
    assignment = Assignment(
        booking=booking,
        leg=leg,
        interpreter_id=interpreter.id,
        busy_from=busy.start,
        busy_until=busy.end,
        assigned_at=now,
        assigned_by_id=assigned_by_id,
        manual=manual,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def _own_offer(offer_id: int, interpreter_id: int) -> tuple[Offer, Booking]:
    """The interpreter's offer and its booking, locked booking first.

    Every writer of a booking's offers takes the booking's lock before any offer's, so the
    winner withdrawing the others cannot deadlock with the losers.
    """
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.interpreter_id != interpreter_id:
        db.session.rollback()
        raise NotVisible(f"Offer {offer_id}")
    # Its country (the re-check's time zone), its caseworker (the outbox's participants), its
    # specialisations (the re-check) and assignments (whether it is filled) come with it: four
    # round trips fewer than loading each when first read. Only the booking's row is locked.
    booking = lock_booking(
        offer.booking_id,
        joinedload(Booking.country, innerjoin=True),
        joinedload(Booking.created_by, innerjoin=True),
        joinedload(Booking.specialisations),
        joinedload(Booking.assignments),
    )
    # All of the booking's offers, locked and read in one go: the answer changes this one and
    # may withdraw the others, and reading them now saves a query per look at `booking.offers`.
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.booking_id == booking.id)
        .order_by(Offer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    set_committed_value(booking, "offers", list(offers))
    offer = next(item for item in offers if item.id == offer_id)
    return offer, booking


def _guard_pending(offer: Offer, booking: Booking, now: datetime) -> None:
    problem = None
    if offer.state is OfferState.WITHDRAWN:
        problem = (
            _("Another interpreter accepted this job first.")
            if booking.state in _FILLED
            else _("This offer was withdrawn: the booking changed or was cancelled.")
        )
    elif offer.state is not OfferState.PENDING:
        problem = (
            _("You have answered this offer already.")
            if offer.state is not OfferState.EXPIRED
            else _("This offer has expired.")
        )
    elif offer.expires_at <= now:
        problem = _("This offer has expired.")
    elif offer.booking_version != booking.version or booking.state is not BookingState.OFFERED:
        problem = _("This booking has changed since the offer; it is no longer open.")
    if problem:
        db.session.rollback()
        raise Conflict(problem)


def _pending(booking: Booking, leg: int) -> list[Offer]:
    return [
        offer
        for offer in booking.offers
        if offer.leg == leg and offer.state is OfferState.PENDING and offer.booking_version == booking.version
    ]


def withdraw_pending(booking: Booking, now: datetime, leg: int | None = None) -> None:
    """Withdraw the booking's pending offers, of one leg or all; the caller commits."""
    for offer in booking.offers:
        if offer.state is OfferState.PENDING and leg in (None, offer.leg):
            offer.state = OfferState.WITHDRAWN
            offer.responded_at = now


def _move(booking: Booking, action: BookingAction, now: datetime, actor_id: int | None, note: str | None) -> None:
    before = booking.state
    booking.state = next_state(before, action)
    booking.updated_at = now
    record_event(booking, action.value, now, actor_id, before, booking.state, note)
