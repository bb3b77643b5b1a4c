"""Snapshots of interpreters for the matching engine, loaded in a handful of queries.

The language pairs narrow the pool in SQL; every other rule is the engine's, so that it can
name the reason when it leaves someone out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from rris.domain.matching.snapshots import (
    AccreditationPeriod,
    Candidate,
    Commitment,
    Interval,
    WeeklyWindow,
)
from rris.enums import BookingState
from rris.extensions import db
from rris.models import Assignment, Booking, InterpreterProfile, LanguagePair, TimeOff

FAIR_SHARE_PERIOD = timedelta(days=30)
# Commitments this far around the span matter: the same local day anywhere on earth, plus rest gaps.
_MARGIN = timedelta(days=1, hours=14)
# An assignment's busy span is its session widened by at most this (the largest rest gap),
# so bounding busy_from/busy_until lets the (interpreter, busy_from, busy_until) index work.
_MAX_REST_GAP = timedelta(minutes=240)
_DELIVERED = (BookingState.COMPLETED, BookingState.CONFIRMED, BookingState.IN_PROGRESS)


def candidate_snapshots(
    span: Interval,
    now: datetime,
    pairs: Iterable[frozenset[str]] | None = None,
    interpreter_ids: Iterable[int] | None = None,
    case: tuple[int, str] | None = None,
) -> list[Candidate]:
    """Interpreters covering one of `pairs` (all when None), with what the engine needs around `span`.

    `case` is (country id, case reference): interpreters who served that case are marked.
    """
    statement = select(InterpreterProfile).options(
        selectinload(InterpreterProfile.user),
        selectinload(InterpreterProfile.language_pairs),
        selectinload(InterpreterProfile.dialects),
        selectinload(InterpreterProfile.accreditations),
        selectinload(InterpreterProfile.specialisations),
        selectinload(InterpreterProfile.availability),
    )
    if pairs is not None:
        wanted = [sorted(pair) for pair in pairs]
        statement = statement.where(
            InterpreterProfile.id.in_(
                select(LanguagePair.interpreter_id).where(
                    or_(*[and_(LanguagePair.language_a == a, LanguagePair.language_b == b) for a, b in wanted])
                )
            )
        )
    if interpreter_ids is not None:
        statement = statement.where(InterpreterProfile.id.in_(list(interpreter_ids)))
    profiles = db.session.scalars(statement.order_by(InterpreterProfile.id)).all()
    ids = [profile.id for profile in profiles]
    if not ids:
        return []
    time_off = _time_off(ids, span)
    commitments = _commitments(ids, span)
    booked = _booked_minutes(ids, now)
    served = _served_case(ids, case) if case else set()
    return [
        Candidate(
            interpreter_id=profile.id,
            name=profile.user.name,
            active=profile.active and profile.user.active,
            gender=profile.gender,
            timezone=profile.timezone,
            pairs={frozenset((pair.language_a, pair.language_b)): pair.proficiency for pair in profile.language_pairs},
            dialects=frozenset((dialect.language_code, dialect.name) for dialect in profile.dialects),
            accreditations=tuple(
                AccreditationPeriod(item.country_id, item.valid_from, item.valid_to) for item in profile.accreditations
            ),
            specialisations=frozenset(item.specialisation for item in profile.specialisations),
            windows=tuple(
                WeeklyWindow(window.weekday, window.start_minute, window.end_minute) for window in profile.availability
            ),
            time_off=tuple(time_off[profile.id]),
            commitments=tuple(commitments[profile.id]),
            daily_cap_minutes=profile.daily_cap_minutes,
            rest_gap_minutes=profile.rest_gap_minutes,
            booked_minutes_last_30_days=booked[profile.id],
            served_case_before=profile.id in served,
        )
        for profile in profiles
    ]


def _time_off(ids: list[int], span: Interval) -> dict[int, list[Interval]]:
    rows = db.session.execute(
        select(TimeOff.interpreter_id, TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.interpreter_id.in_(ids),
            TimeOff.starts_at < span.end + _MARGIN,
            TimeOff.ends_at > span.start - _MARGIN,
        )
    )
    found: dict[int, list[Interval]] = defaultdict(list)
    for interpreter_id, starts_at, ends_at in rows:
        found[interpreter_id].append(Interval(starts_at, ends_at))
    return found


def _commitments(ids: list[int], span: Interval) -> dict[int, list[Commitment]]:
    rows = db.session.execute(
        select(Assignment.interpreter_id, Booking.id, Booking.starts_at, Booking.ends_at)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(
            Assignment.interpreter_id.in_(ids),
            Assignment.released_at.is_(None),
            Assignment.busy_from < span.end + _MARGIN,
            Assignment.busy_until > span.start - _MARGIN,
            Booking.starts_at < span.end + _MARGIN,
            Booking.ends_at > span.start - _MARGIN,
        )
    )
    found: dict[int, list[Commitment]] = defaultdict(list)
    for interpreter_id, booking_id, starts_at, ends_at in rows:
        found[interpreter_id].append(Commitment(booking_id, Interval(starts_at, ends_at)))
    return found


def _booked_minutes(ids: list[int], now: datetime) -> dict[int, int]:
    rows = db.session.execute(
        select(Assignment.interpreter_id, Booking.starts_at, Booking.ends_at)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(
            Assignment.interpreter_id.in_(ids),
            Assignment.released_at.is_(None),
            Assignment.busy_from >= now - FAIR_SHARE_PERIOD - _MAX_REST_GAP,
            Assignment.busy_from < now,
            Booking.starts_at >= now - FAIR_SHARE_PERIOD,
            Booking.starts_at < now,
        )
    )
    minutes: dict[int, int] = defaultdict(int)
    for interpreter_id, starts_at, ends_at in rows:
        minutes[interpreter_id] += int((ends_at - starts_at).total_seconds() // 60)
    return minutes


def _served_case(ids: list[int], case: tuple[int, str]) -> set[int]:
    country_id, reference = case
    return set(
        db.session.scalars(
            select(Assignment.interpreter_id)
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(
                Assignment.interpreter_id.in_(ids),
                Booking.country_id == country_id,
                Booking.case_reference == reference,
                Booking.state.in_(_DELIVERED),
                Assignment.released_at.is_(None),
            )
        )
    )
