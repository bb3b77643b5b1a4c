"""Taking an interpreter out of the pool and back in.

Deactivation withdraws the interpreter's pending offers (the next wave goes out where a leg has
no offer left) and flags each upcoming confirmed job as a conflict at once, through the conflict
sweep, so the caseworker and coordinators are told and "release and offer to others" appears.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.domain.permissions import Actor, Capability, can
from rris.access.queries.scoping import NotVisible
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.bookings.services.booking_events import record_event
from rris.common.domain.errors import Conflict, Forbidden
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write, lock_booking
from rris.context import current_origin
from rris.enums import BookingState, OfferState
from rris.extensions import db
from rris.matching.services.conflicts import SweepReport, sweep
from rris.notifications.services.notifications import sync_booking_notifications
from rris.offers.domain.waves import WavePolicy
from rris.offers.queries.jobs import upcoming_jobs
from rris.offers.services.offers import send_wave
from rris.pool.models.interpreters import InterpreterDeactivation, InterpreterProfile

log = logging.getLogger(__name__)

DEACTIVATION_REASON_MAX_CHARS = 500


@dataclass
class Deactivation:
    """What taking an interpreter out of the pool did."""

    interpreter_id: int
    withdrawn_offers: int = 0
    rewaved_booking_ids: list[int] = field(default_factory=list)
    jobs_left: list[Assignment] = field(default_factory=list)
    sweep: SweepReport = field(default_factory=SweepReport)


@dataclass
class Reactivation:
    """What bringing an interpreter back did: the conflicts their return resolved."""

    interpreter_id: int
    sweep: SweepReport = field(default_factory=SweepReport)


def deactivate_interpreter(
    interpreter_id: int, actor: Actor, reason: str, now: datetime, waves: WavePolicy
) -> Deactivation:
    """Take the interpreter out of the pool; returns the upcoming confirmed jobs they leave, each flagged."""
    _require_manager(actor)
    reason = required_text(
        reason, "reason", _("Say why the interpreter leaves the pool."), DEACTIVATION_REASON_MAX_CHARS
    )
    begin_write()
    # Bookings are locked before the profile, as offers.accept_offer does, so the two cannot deadlock.
    booking_ids = sorted(
        set(
            db.session.scalars(
                select(Offer.booking_id).where(
                    Offer.interpreter_id == interpreter_id, Offer.state == OfferState.PENDING
                )
            )
        )
    )
    bookings = [lock_booking(booking_id) for booking_id in booking_ids]
    profile = _lock_profile(interpreter_id)
    if not profile.active:
        db.session.rollback()
        raise Conflict(_("%(name)s is already inactive.", name=profile.name))
    profile.active = False
    db.session.add(
        InterpreterDeactivation(
            interpreter_id=profile.id, deactivated_at=now, deactivated_by_id=actor.user_id, reason=reason
        )
    )
    db.session.flush()  # the waves below must already see the interpreter as inactive
    result = Deactivation(interpreter_id=profile.id)
    for booking in bookings:
        legs = _withdraw_offers_of(booking, profile.id, now)
        result.withdrawn_offers += len(legs)
        withdrawn = set(legs)
        record_event(
            booking,
            "offer_withdrawn",
            now,
            actor.user_id,
            note=_("%(name)s left the pool; their offer is withdrawn.", name=profile.name),
        )
        if booking.state is BookingState.OFFERED and any(
            not _pending(booking, leg) and not booking.leg_assigned(leg) for leg in withdrawn
        ):
            send_wave(booking, now, waves, actor_id=actor.user_id)
            result.rewaved_booking_ids.append(booking.id)
        sync_booking_notifications(booking, now)
    event = AuditEvent("interpreter.deactivated", "interpreter", str(profile.id), reason=reason)
    record_audit(event, actor, current_origin(), now)
    db.session.commit()
    log.info("interpreter %s deactivated; %d offers withdrawn", profile.id, result.withdrawn_offers)
    # Each job left gets its conflict now rather than at the scheduler's next sweep.
    result.sweep = sweep(now, [profile.id])
    result.jobs_left = jobs_left_by(profile.id, now)
    return result


def reactivate_interpreter(interpreter_id: int, actor: Actor, now: datetime) -> Reactivation:
    """Bring the interpreter back into the pool; the conflicts their deactivation raised are resolved."""
    _require_manager(actor)
    begin_write()
    profile = _lock_profile(interpreter_id)
    if profile.active:
        db.session.rollback()
        raise Conflict(_("%(name)s is already active.", name=profile.name))
    profile.active = True
    latest = current_deactivation(profile.id)
    if latest is not None:
        latest.reactivated_at = now
        latest.reactivated_by_id = actor.user_id
    record_audit(AuditEvent("interpreter.reactivated", "interpreter", str(profile.id)), actor, current_origin(), now)
    db.session.commit()
    log.info("interpreter %s reactivated", profile.id)
    return Reactivation(interpreter_id=profile.id, sweep=sweep(now, [profile.id]))


def jobs_left_by(interpreter_id: int, now: datetime) -> list[Assignment]:
    """The interpreter's confirmed jobs that have not started: those someone else must take over."""
    return [
        job
        for job in upcoming_jobs(interpreter_id, now)
        if job.booking.state is BookingState.CONFIRMED and job.booking.starts_at > now
    ]


def current_deactivation(interpreter_id: int) -> InterpreterDeactivation | None:
    """The deactivation in force, if the interpreter is out of the pool."""
    return db.session.scalar(
        select(InterpreterDeactivation)
        .where(
            InterpreterDeactivation.interpreter_id == interpreter_id, InterpreterDeactivation.reactivated_at.is_(None)
        )
        .order_by(InterpreterDeactivation.deactivated_at.desc(), InterpreterDeactivation.id.desc())
        .limit(1)
    )


def _require_manager(actor: Actor) -> None:
    if not can(actor, Capability.MANAGE_POOL):
        raise Forbidden(_("Only the pool's coordinators can do this."))


def _lock_profile(interpreter_id: int) -> InterpreterProfile:
    profile = db.session.scalars(
        select(InterpreterProfile)
        .where(InterpreterProfile.id == interpreter_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if profile is None:
        db.session.rollback()
        raise NotVisible(f"Interpreter {interpreter_id}")
    return profile


def _withdraw_offers_of(booking: Booking, interpreter_id: int, now: datetime) -> list[int]:
    """Withdraw the interpreter's pending offers for the booking; returns the leg of each."""
    legs = []
    for offer in booking.offers:
        if offer.interpreter_id == interpreter_id and offer.state is OfferState.PENDING:
            offer.state = OfferState.WITHDRAWN
            offer.responded_at = now
            legs.append(offer.leg)
    return legs


def _pending(booking: Booking, leg: int) -> list[Offer]:
    return [
        offer
        for offer in booking.offers
        if offer.leg == leg and offer.state is OfferState.PENDING and offer.booking_version == booking.version
    ]
