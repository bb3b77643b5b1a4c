"""An interpreter's open offers and upcoming jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from rris.enums import BookingState, OfferState
from rris.extensions import db
from rris.models import Assignment, Booking, Offer


def open_offers(interpreter_id: int, now: datetime) -> list[Offer]:
    """Offers waiting for the interpreter's answer, the soonest session first."""
    return list(
        db.session.scalars(
            select(Offer)
            .join(Booking, Booking.id == Offer.booking_id)
            .where(
                Offer.interpreter_id == interpreter_id,
                Offer.state == OfferState.PENDING,
                Offer.expires_at > now,
                Offer.booking_version == Booking.version,
                Booking.state == BookingState.OFFERED,
            )
            .order_by(Booking.starts_at)
        )
    )


def upcoming_jobs(interpreter_id: int, now: datetime) -> list[Assignment]:
    """The interpreter's confirmed jobs that have not ended, soonest first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(
                Assignment.interpreter_id == interpreter_id,
                Assignment.released_at.is_(None),
                Booking.ends_at > now,
                Booking.state.in_((BookingState.CONFIRMED, BookingState.IN_PROGRESS)),
            )
            .order_by(Booking.starts_at)
        )
    )


def past_jobs(interpreter_id: int, now: datetime, limit: int = 10) -> list[Assignment]:
    """The interpreter's most recent jobs that have ended, latest first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(
                Assignment.interpreter_id == interpreter_id,
                Assignment.released_at.is_(None),
                Booking.ends_at <= now,
            )
            .order_by(Booking.starts_at.desc())
            .limit(limit)
        )
    )
