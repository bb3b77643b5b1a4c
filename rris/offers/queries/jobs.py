"""An interpreter's open offers and upcoming jobs, by the same clauses as `booking_filter`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from rris.access.queries.scoping import held_job, open_offer
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.snapshots import Interval


def open_offers(interpreter_id: int, now: datetime) -> list[Offer]:
    """Offers waiting for the interpreter's answer, the soonest session first."""
    return list(
        db.session.scalars(
            select(Offer)
            .join(Booking, Booking.id == Offer.booking_id)
            .where(Offer.interpreter_id == interpreter_id, open_offer(now))
            .order_by(Booking.starts_at)
        )
    )


def upcoming_jobs(interpreter_id: int, now: datetime) -> list[Assignment]:
    """The interpreter's confirmed jobs that have not ended, soonest first."""
    return list(
        db.session.scalars(
            _held_jobs(interpreter_id)
            .where(Booking.ends_at > now, Booking.state.in_((BookingState.CONFIRMED, BookingState.IN_PROGRESS)))
            .order_by(Booking.starts_at)
        )
    )


def past_jobs(interpreter_id: int, now: datetime, limit: int = 10) -> list[Assignment]:
    """The interpreter's most recent jobs that have ended, latest first."""
    return list(
        db.session.scalars(
            _held_jobs(interpreter_id).where(Booking.ends_at <= now).order_by(Booking.starts_at.desc()).limit(limit)
        )
    )


def _held_jobs(interpreter_id: int) -> Select[tuple[Assignment]]:
    """The jobs the interpreter holds, their bookings joined for the lists above to narrow and order,
    and loaded with them (with what the pages read of each: its department, legs, offers and
    specialisations) rather than a query per job and per collection."""
    booking = contains_eager(Assignment.booking)
    return (
        select(Assignment)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(Assignment.interpreter_id == interpreter_id, held_job())
        .options(
            booking,
            booking.joinedload(Booking.department),
            booking.selectinload(Booking.assignments),
            booking.selectinload(Booking.offers),
            booking.selectinload(Booking.specialisations),
        )
    )


def job_overlapping(interpreter_id: int, busy: Interval) -> Booking | None:
    """The interpreter's unreleased job that clashes with the busy interval `busy`, if any.

    `rris.matching.domain.clashes.jobs_clash` in SQL, on the stored busy spans, as the database's guard tests them.
    """
    return db.session.scalar(
        select(Booking)
        .join(Assignment, Assignment.booking_id == Booking.id)
        .where(
            Assignment.interpreter_id == interpreter_id,
            Assignment.released_at.is_(None),
            Assignment.busy_from < busy.end,
            busy.start < Assignment.busy_until,
        )
        .order_by(Booking.starts_at)
        .limit(1)
    )
