"""Loading each interpreter's windows, time off and booked sessions for a period, and their
utilisation (`rris.reports.domain.utilisation` states the rules).

Who is counted: interpreters in the pool (active), and anyone out of it who still held a
session in the period. A country narrows them to those accredited for it on any day of the
period, a language to those with a working pair in it. Their booked time is always all of it:
utilisation describes the person, whoever booked them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.common.models.durations import microseconds_between
from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.snapshots import Interval
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import Accreditation, InterpreterProfile, LanguagePair, TimeOff
from rris.pool.queries.availability import weekly_windows
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.utilisation import InterpreterHours, Utilisation, utilisation
from rris.reports.queries.report_sql import id_range, month_legs
from rris.timeutil import ensure_utc


@dataclass(frozen=True)
class NamedUtilisation:
    """An interpreter's utilisation with their name (for the pool's managers only)."""

    name: str
    figures: Utilisation


def booked_microseconds(report_filter: ReportFilter) -> dict[int, int]:
    """Each interpreter's booked time in the period (microseconds): the durations of the sessions
    they hold a leg of, not cancelled, summed by the database."""
    start, end = report_filter.bounds
    held = (
        select(Booking.id, microseconds_between(Booking.ends_at, Booking.starts_at).label("microseconds"))
        .where(Booking.starts_at >= start, Booking.starts_at < end, Booking.state != BookingState.CANCELLED)
        .cte("held")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        select(Assignment.interpreter_id, func.sum(held.c.microseconds))
        .select_from(held)
        .join(Assignment, month_legs(held.c.id, id_range(_whole_pool(report_filter))))
        .group_by(Assignment.interpreter_id)
    )
    return {interpreter_id: int(total) for interpreter_id, total in db.session.execute(statement)}


def pool_utilisation(report_filter: ReportFilter, booked: Mapping[int, int] | None = None) -> list[NamedUtilisation]:
    """Utilisation of every counted interpreter in the period, by name; `booked` gives each
    one's booked microseconds when they are known already (kept months), else they are summed here."""
    start, end = report_filter.bounds
    booked = booked_microseconds(report_filter) if booked is None else booked

    people = select(InterpreterProfile.id, InterpreterProfile.timezone, User.name).join(
        User, User.id == InterpreterProfile.user_id
    )
    people = people.where(or_(InterpreterProfile.active.is_(True), InterpreterProfile.id.in_(list(booked))))
    if report_filter.country_code is not None:
        people = people.where(
            exists().where(
                Accreditation.interpreter_id == InterpreterProfile.id,
                Accreditation.country_id == Country.id,
                Country.code == report_filter.country_code,
                Accreditation.valid_from <= report_filter.last_day,
                Accreditation.valid_to >= report_filter.first_day,
            )
        )
    if report_filter.language is not None:
        people = people.where(
            exists().where(
                LanguagePair.interpreter_id == InterpreterProfile.id,
                or_(
                    LanguagePair.language_a == report_filter.language, LanguagePair.language_b == report_filter.language
                ),
            )
        )
    rows = db.session.execute(people.order_by(User.name, InterpreterProfile.id)).all()
    ids = [row[0] for row in rows]

    windows = weekly_windows(ids)

    away: defaultdict[int, list[Interval]] = defaultdict(list)
    for interpreter_id, starts_at, ends_at in db.session.execute(
        select(TimeOff.interpreter_id, TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.interpreter_id.in_(ids), TimeOff.starts_at < end, TimeOff.ends_at > start
        )
    ):
        away[interpreter_id].append(Interval(ensure_utc(starts_at), ensure_utc(ends_at)))

    return [
        NamedUtilisation(
            name,
            utilisation(
                InterpreterHours(
                    interpreter_id,
                    zone_name,
                    windows[interpreter_id],
                    away[interpreter_id],
                    booked_microseconds=booked.get(interpreter_id, 0),
                ),
                start,
                end,
            ),
        )
        for interpreter_id, zone_name, name in rows
    ]


def _whole_pool(report_filter: ReportFilter) -> ReportFilter:
    """`report_filter`'s period without its narrowing: booked time is all of it, whoever booked."""
    return ReportFilter(report_filter.first_day, report_filter.last_day, report_filter.zone_name)
