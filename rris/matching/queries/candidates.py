"""Snapshots of interpreters for the matching engine, loaded in a handful of queries.

The language pairs narrow the pool in SQL; every other rule is the engine's, so that it can
name the reason when it leaves someone out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.bookings.queries.applicant_links import ApplicantLink, linked_bookings
from rris.enums import BookingState, Proficiency, Specialisation
from rris.extensions import db
from rris.matching.domain.snapshots import (
    AccreditationPeriod,
    Candidate,
    Commitment,
    Interval,
)
from rris.pool.models.interpreters import (
    Accreditation,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    TimeOff,
    interpreter_dialects,
)
from rris.pool.models.languages import Dialect
from rris.pool.queries.availability import weekly_windows

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
    applicant: ApplicantLink | None = None,
) -> list[Candidate]:
    """Interpreters covering one of `pairs` (all when None), with what the engine needs around `span`.

    Interpreters who served the `applicant` (their case, or a case linked by the regional
    applicant key) are marked.
    Reads plain columns, one query per kind of fact: building ORM objects cost several times more.
    """
    statement = select(
        InterpreterProfile.id,
        InterpreterProfile.active,
        User.active,
        User.name,
        InterpreterProfile.gender,
        InterpreterProfile.timezone,
        InterpreterProfile.daily_cap_minutes,
        InterpreterProfile.rest_gap_minutes,
    ).join(User, User.id == InterpreterProfile.user_id)
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
    profiles = db.session.execute(statement.order_by(InterpreterProfile.id)).all()
    ids = [row[0] for row in profiles]
    if not ids:
        return []
    facts = _Facts(ids)
    time_off = _time_off(ids, span)
    commitments = _commitments(ids, span)
    booked = _booked_minutes(ids, now)
    served = _served_applicant(ids, applicant) if applicant else set()
    return [
        Candidate(
            interpreter_id=interpreter_id,
            name=name,
            active=profile_active and user_active,
            gender=gender,
            timezone=timezone,
            pairs=facts.pairs[interpreter_id],
            dialects=frozenset(facts.dialects[interpreter_id]),
            accreditations=tuple(facts.accreditations[interpreter_id]),
            specialisations=frozenset(facts.specialisations[interpreter_id]),
            windows=tuple(facts.windows[interpreter_id]),
            time_off=tuple(time_off[interpreter_id]),
            commitments=tuple(commitments[interpreter_id]),
            daily_cap_minutes=cap,
            rest_gap_minutes=gap,
            booked_minutes_last_30_days=booked[interpreter_id],
            served_case_before=interpreter_id in served,
        )
        for interpreter_id, profile_active, user_active, name, gender, timezone, cap, gap in profiles
    ]


class _Facts:
    """The time-independent facts of some interpreters, grouped by interpreter id."""

    def __init__(self, ids: list[int]) -> None:
        self.pairs: dict[int, dict[frozenset[str], Proficiency]] = defaultdict(dict)
        for interpreter_id, first, second, proficiency in db.session.execute(
            select(
                LanguagePair.interpreter_id, LanguagePair.language_a, LanguagePair.language_b, LanguagePair.proficiency
            ).where(LanguagePair.interpreter_id.in_(ids))
        ):
            self.pairs[interpreter_id][frozenset((first, second))] = proficiency
        self.dialects: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for interpreter_id, language, name in db.session.execute(
            select(interpreter_dialects.c.interpreter_id, Dialect.language_code, Dialect.name)
            .join(Dialect, Dialect.id == interpreter_dialects.c.dialect_id)
            .where(interpreter_dialects.c.interpreter_id.in_(ids))
        ):
            self.dialects[interpreter_id].append((language, name))
        self.accreditations: dict[int, list[AccreditationPeriod]] = defaultdict(list)
        for interpreter_id, country_id, valid_from, valid_to in db.session.execute(
            select(
                Accreditation.interpreter_id, Accreditation.country_id, Accreditation.valid_from, Accreditation.valid_to
            ).where(Accreditation.interpreter_id.in_(ids))
        ):
            self.accreditations[interpreter_id].append(AccreditationPeriod(country_id, valid_from, valid_to))
        self.specialisations: dict[int, list[Specialisation]] = defaultdict(list)
        for interpreter_id, specialisation in db.session.execute(
            select(InterpreterSpecialisation.interpreter_id, InterpreterSpecialisation.specialisation).where(
                InterpreterSpecialisation.interpreter_id.in_(ids)
            )
        ):
            self.specialisations[interpreter_id].append(specialisation)
        self.windows = weekly_windows(ids)


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
        select(
            Assignment.interpreter_id,
            Booking.id,
            Booking.starts_at,
            Booking.ends_at,
            Assignment.busy_from,
            Assignment.busy_until,
        )
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
    for interpreter_id, booking_id, starts_at, ends_at, busy_from, busy_until in rows:
        session, busy = Interval(starts_at, ends_at), Interval(busy_from, busy_until)
        found[interpreter_id].append(Commitment(booking_id, session, busy))
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


def _served_applicant(ids: list[int], applicant: ApplicantLink) -> set[int]:
    return set(
        db.session.scalars(
            select(Assignment.interpreter_id)
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(
                Assignment.interpreter_id.in_(ids),
                linked_bookings(applicant),
                Booking.state.in_(_DELIVERED),
                Assignment.released_at.is_(None),
            )
        )
    )
