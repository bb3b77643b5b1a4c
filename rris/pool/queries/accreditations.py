"""Which accreditations need a coordinator's attention: ending soon, or ended with work ahead.

A clearance is inclusive of its last day, so on `valid_to` it has 0 days left and the day after
it has expired. "Soon" is `ACCREDITATION_WARNING_DAYS` (the home page's panel uses the same one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.interpreters import Accreditation, InterpreterProfile
from rris.pool.queries.pool import ACCREDITATION_WARNING_DAYS

__all__ = ["ACCREDITATION_WARNING_DAYS", "AccreditationWarning", "WarningBoard", "accreditation_warnings"]

_BUSY_STATES = (BookingState.CONFIRMED, BookingState.IN_PROGRESS)


@dataclass(frozen=True)
class AccreditationWarning:
    """One clearance of an active interpreter that ends soon or has ended with jobs ahead."""

    accreditation: Accreditation
    days_left: int  # negative once it has expired
    jobs_ahead: int  # confirmed jobs not yet over, in the clearance's country

    @property
    def expired(self) -> bool:
        """True when the last day of the clearance has passed."""
        return self.days_left < 0


@dataclass(frozen=True)
class WarningBoard:
    """Every warning, soonest first, with lookups for the badges of lists and pages."""

    warnings: tuple[AccreditationWarning, ...]

    @property
    def by_accreditation(self) -> dict[int, AccreditationWarning]:
        """Each warning by its accreditation's id."""
        return {w.accreditation.id: w for w in self.warnings}

    @property
    def by_interpreter(self) -> dict[int, AccreditationWarning]:
        """The most pressing warning of each interpreter who has one."""
        found: dict[int, AccreditationWarning] = {}
        for warning in self.warnings:
            found.setdefault(warning.accreditation.interpreter_id, warning)
        return found


def accreditation_warnings(
    today: date, now: datetime, within_days: int = ACCREDITATION_WARNING_DAYS, interpreter_id: int | None = None
) -> WarningBoard:
    """Clearances of active interpreters ending within `within_days` of `today` (the viewer's date),
    and those already ended that still have confirmed jobs in their country after `now`, unless a
    later clearance for that country replaced them. Soonest (most overdue) first; of one
    interpreter only when `interpreter_id` is given (her page needs no one else's)."""
    # A job not over has a busy span not over (the span is the session widened by the rest gap):
    # the redundant bound lets the held jobs' index (migration 0031) skip every job already done.
    job_ahead = and_(
        Assignment.interpreter_id == Accreditation.interpreter_id,
        Assignment.released_at.is_(None),
        Assignment.busy_until > now,
        Booking.country_id == Accreditation.country_id,
        Booking.ends_at > now,
        Booking.state.in_(_BUSY_STATES),
    )
    jobs_ahead = (
        select(func.count(Assignment.id))
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(job_ahead)
        .correlate(Accreditation)
        .scalar_subquery()
    )
    any_job_ahead = (
        select(Assignment.id)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(job_ahead)
        .correlate(Accreditation)
    ).exists()
    later = aliased(Accreditation)
    replaced = exists().where(
        later.interpreter_id == Accreditation.interpreter_id,
        later.country_id == Accreditation.country_id,
        later.valid_to > Accreditation.valid_to,
    )
    ending_soon = and_(Accreditation.valid_to >= today, Accreditation.valid_to <= today + timedelta(days=within_days))
    ended_with_work = and_(Accreditation.valid_to < today, ~replaced, any_job_ahead)
    rows = db.session.execute(
        select(Accreditation, jobs_ahead)
        .join(InterpreterProfile, InterpreterProfile.id == Accreditation.interpreter_id)
        .where(InterpreterProfile.active.is_(True), or_(ending_soon, ended_with_work), *_of(interpreter_id))
        .options(
            selectinload(Accreditation.country),
            selectinload(Accreditation.interpreter).selectinload(InterpreterProfile.user),
        )
        # The name by key for the rows kept: joined, PostgreSQL (misjudging the rows kept) matched
        # every account against every warning in a nested loop.
        .order_by(Accreditation.valid_to, _name_of(InterpreterProfile.user_id), Accreditation.id)
    ).all()
    return WarningBoard(
        tuple(AccreditationWarning(item, (item.valid_to - today).days, jobs or 0) for item, jobs in rows)
    )


def _of(interpreter_id: int | None) -> list[ColumnElement[bool]]:
    return [] if interpreter_id is None else [Accreditation.interpreter_id == interpreter_id]


def _name_of(user_id: Any) -> Any:
    return select(User.name).where(User.id == user_id).correlate(InterpreterProfile).scalar_subquery()
