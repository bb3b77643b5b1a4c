"""Loading what a report needs and computing its figures with `rris.reports.domain.reports`.

`monthly_report` lets the database count, in one statement and one pass over the period's
bookings (a month holds ~100,000 at full scale): the sessions come back grouped
(`SessionGroup`), the interpreters' costs summed per group (`ChargeGroup`), and of the two
durations behind the medians only the middle one or two values. Which seconds count, what is
delivered, filled or a call, and every ratio stay in the domain (`report_from_groups`); the
database only computes the booked seconds and each interpreter's rounded cost per session,
exactly as the domain does (`session_cost_cents`), in integers.

`session_rows` and `charge_rows` load the same bookings one row each for `compute_report`
(`monthly_report_from_rows`): the tests prove both ways give the same figures.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased

from rris.bookings.models.bookings import Assignment, Booking
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.common.models.durations import microseconds_between
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import InterpreterProfile
from rris.reports.domain.billing import SECONDS_PER_HOUR, ChargeGroup, ChargeRow, cents_to_amount
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.reports import Report, SessionGroup, SessionRow, compute_report, report_from_groups
from rris.reports.queries.report_sql import IdRange, booked_seconds, filtered, id_range, in_id_range, month_legs
from rris.timeutil import ensure_utc

PHONE_CHANNEL = "phone"
REPORT_WORK_MEM = "64MB"  # PostgreSQL's memory per sort or hash while a report runs


def _cost_cents(seconds: ColumnElement[int], rate_cents: ColumnElement[int]) -> ColumnElement[int]:
    """`session_cost_cents` in SQL: ⌊(2 × seconds × rate + 3600) / 7200⌋ in 64-bit integers."""
    return (2 * cast(seconds, BigInteger) * rate_cents + SECONDS_PER_HOUR) // (2 * SECONDS_PER_HOUR)


def _attendance_channel() -> ColumnElement[int | None]:
    """NULL when nobody joined the booking's call, 1 when someone joined by telephone, else 0:
    one look at the booking's attendances instead of two."""
    by_phone = case((CallAttendance.channel == PHONE_CHANNEL, 1), else_=0)
    return (
        select(func.max(by_phone)).where(CallAttendance.booking_id == Booking.id).correlate(Booking).scalar_subquery()
    )


def _answered_phone_leg() -> ColumnElement[bool]:
    return exists().where(PhoneLeg.booking_id == Booking.id, PhoneLeg.answered_at.is_not(None))


# The columns every part of `_report_statement` returns, in order (a part leaves out what it lacks).
_KEYS = (
    "country_code",
    "applicant_language",
    "state",
    "filled",
    "cancelled_late",
    "modality",
    "attendance_channel",
    "answered_phone_leg",
    "has_summary",
    "on_demand",
)
_COLUMNS = ("part", *_KEYS, "currency", "sessions", "first", "second", "third", "fourth")


# The medians are of sessions booked ahead: each duration is NULL (left out) for an on-demand call.
def _lead_time() -> ColumnElement[int | None]:
    return case((Booking.on_demand.is_(False), microseconds_between(Booking.starts_at, Booking.created_at)))


def _time_to_fill() -> ColumnElement[int | None]:
    filled_ahead = and_(Booking.on_demand.is_(False), Booking.confirmed_at.is_not(None))
    return case((filled_ahead, microseconds_between(Booking.confirmed_at, Booking.created_at)))


def _per_booking(report_filter: ReportFilter, ids: IdRange) -> CTE:
    """One compact row per booking of the report, all the figures look at; computed once
    (MATERIALIZED) and read by every part of `_report_statement`.

    The calls' attendances, summaries and answered telephone legs are read by the range of the
    period's booking ids (`ids`) on each table's own key and joined: the period's rows only, each
    table read once, rather than one index look-up per booking and table (on PostgreSQL three
    quarters of an open month's time) or a whole table hashed."""
    # NULL when nobody joined the booking's call, 1 when someone joined by telephone, else 0.
    by_phone = case((CallAttendance.channel == PHONE_CHANNEL, 1), else_=0)
    attendances = (
        select(CallAttendance.booking_id, func.max(by_phone).label("channel"))
        .where(in_id_range(CallAttendance.booking_id, ids))
        .group_by(CallAttendance.booking_id)
        .subquery()
    )
    summaries = (
        select(CallSummary.booking_id, CallSummary.delivered_seconds)
        .where(in_id_range(CallSummary.booking_id, ids))
        .subquery()
    )
    answered_legs = (
        select(PhoneLeg.booking_id)
        .where(in_id_range(PhoneLeg.booking_id, ids), PhoneLeg.answered_at.is_not(None))
        .group_by(PhoneLeg.booking_id)
        .subquery()
    )
    statement = filtered(
        select(
            Booking.id.label("booking_id"),
            Country.code.label("country_code"),
            Booking.applicant_language.label("applicant_language"),
            Booking.state.label("state"),
            Booking.confirmed_at.is_not(None).label("filled"),
            Booking.cancelled_late.label("cancelled_late"),
            Booking.modality.label("modality"),
            Booking.on_demand.label("on_demand"),
            attendances.c.channel.label("attendance_channel"),
            answered_legs.c.booking_id.is_not(None).label("answered_phone_leg"),
            booked_seconds().label("booked_seconds"),
            summaries.c.delivered_seconds.label("summary_seconds"),
            _lead_time().label("lead_time"),
            _time_to_fill().label("time_to_fill"),
        )
        .select_from(Booking)
        .join(Country, Country.id == Booking.country_id)
        .outerjoin(attendances, attendances.c.booking_id == Booking.id)
        .outerjoin(summaries, summaries.c.booking_id == Booking.id)
        .outerjoin(answered_legs, answered_legs.c.booking_id == Booking.id),
        report_filter,
    )
    return statement.cte("per_booking").prefix_with("MATERIALIZED")


def _part(name: str, **columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """The columns of one part in `_COLUMNS` order, NULL where the part has nothing to say."""
    return [literal(name).label("part"), *(columns.get(column, null()).label(column) for column in _COLUMNS[1:])]


def _middle(per_booking: CTE, counts: CTE, column: str) -> Select[Any]:
    """The middle one (odd count) or two (even count) values of `column`, by their rank in one
    window over them (the count is counted once, not carried on every row by a second window)."""
    value = per_booking.c[column]
    count = select(counts.c[column]).scalar_subquery()
    ranked = (
        select(value.label("value"), func.row_number().over(order_by=value).label("position"))
        .where(value.is_not(None))
        .subquery()
    )
    middle = or_(ranked.c.position == (count + 1) // 2, ranked.c.position == count // 2 + 1)
    return select(*_part(column, first=ranked.c.value)).where(middle)


def _report_statement(report_filter: ReportFilter, ids: IdRange, middles: bool = True) -> CompoundSelect[Any]:
    """Everything `monthly_report` needs in one statement, one pass over the bookings:

    - "session" rows: the bookings grouped by `_KEYS`, counted, booked and summary seconds summed;
    - "charge" rows: per country, state, summary or not and currency, the sessions that
      interpreters still holding a leg bill, their costs per session and their seconds summed as
      if by the summary's, and as if by the booked, seconds;
    - with `middles`, "lead_time" and "time_to_fill" rows: the middle one or two values of each
      (microseconds; each a sort of the period's values).
    """
    per_booking = _per_booking(report_filter, ids)
    has_summary = per_booking.c.summary_seconds.is_not(None)
    summary_seconds = func.coalesce(per_booking.c.summary_seconds, 0)
    keys = {key: per_booking.c[key] for key in _KEYS if key != "has_summary"} | {"has_summary": has_summary}
    sessions = select(
        *_part(
            "session",
            **keys,
            sessions=func.count(),
            first=func.sum(per_booking.c.booked_seconds),
            second=func.sum(summary_seconds),
        )
    ).group_by(*keys.values())
    rate_cents = cast(func.round(InterpreterProfile.hourly_rate * 100), BigInteger)
    # A session counts once per currency its interpreters bill in: a relay's second leg paid in
    # the currency of its first is not another session. One grouping of the legs, the second
    # legs (a relay's, a few in a hundred) looked at alone, instead of grouping every leg by
    # booking first.
    earlier_leg = aliased(Assignment)
    earlier_profile = aliased(InterpreterProfile)
    same_currency_before = exists().where(
        earlier_leg.booking_id == Assignment.booking_id,
        earlier_leg.leg < Assignment.leg,
        earlier_leg.released_at.is_(None),
        earlier_profile.id == earlier_leg.interpreter_id,
        earlier_profile.rate_currency == InterpreterProfile.rate_currency,
    )
    repeated = case((Assignment.leg > 1, case((same_currency_before, 1), else_=0)), else_=0)
    charge_keys = (per_booking.c.country_code, per_booking.c.state, has_summary, InterpreterProfile.rate_currency)
    charges = (
        select(
            *_part(
                "charge",
                country_code=per_booking.c.country_code,
                state=per_booking.c.state,
                has_summary=has_summary,
                currency=InterpreterProfile.rate_currency.expression,
                sessions=func.count() - func.sum(repeated),
                first=func.sum(_cost_cents(summary_seconds, rate_cents)),
                second=func.sum(_cost_cents(per_booking.c.booked_seconds, rate_cents)),
                third=func.sum(summary_seconds),
                fourth=func.sum(per_booking.c.booked_seconds),
            )
        )
        .select_from(per_booking)
        .join(Assignment, month_legs(per_booking.c.booking_id, ids))
        .join(InterpreterProfile, InterpreterProfile.id == Assignment.interpreter_id)
        .group_by(*charge_keys)
    )
    if not middles:
        return union_all(sessions, charges)
    counts = select(*(func.count(per_booking.c[column]).label(column) for column in ("lead_time", "time_to_fill"))).cte(
        "counts"
    )
    return union_all(
        sessions, charges, _middle(per_booking, counts, "lead_time"), _middle(per_booking, counts, "time_to_fill")
    )


def session_rows(report_filter: ReportFilter) -> list[SessionRow]:
    """One row per booking in the report, with its call summary and whether the call used a phone."""
    statement = filtered(
        select(
            Booking.id,
            Country.code,
            Booking.applicant_language,
            Booking.state,
            Booking.starts_at,
            Booking.ends_at,
            Booking.created_at,
            Booking.confirmed_at,
            Booking.cancelled_late,
            CallSummary.delivered_seconds,
            _attendance_channel().label("attendance_channel"),
            _answered_phone_leg().label("answered_phone_leg"),
            Booking.modality,
            Booking.on_demand,
        )
        .select_from(Booking)
        .join(Country, Country.id == Booking.country_id)
        .outerjoin(CallSummary, CallSummary.booking_id == Booking.id),
        report_filter,
    ).order_by(Booking.starts_at, Booking.id)
    return [
        SessionRow(
            booking_id=row[0],
            country_code=row[1],
            applicant_language=row[2],
            state=row[3],
            starts_at=ensure_utc(row[4]),
            ends_at=ensure_utc(row[5]),
            created_at=ensure_utc(row[6]),
            confirmed_at=ensure_utc(row[7]) if row[7] is not None else None,
            cancelled_late=bool(row[8]),
            delivered_seconds=row[9],
            had_call=row[10] is not None,
            phone_fallback=row[10] == 1 or bool(row[11]),
            modality=row[12],
            on_demand=bool(row[13]),
        )
        for row in db.session.execute(statement)
    ]


def charge_rows(report_filter: ReportFilter) -> list[ChargeRow]:
    """The interpreters still holding a leg of the report's bookings, with their rate and currency."""
    statement = filtered(
        select(Assignment.booking_id, InterpreterProfile.hourly_rate, InterpreterProfile.rate_currency)
        .select_from(Booking)
        .join(Assignment, and_(Assignment.booking_id == Booking.id, Assignment.released_at.is_(None)))
        .join(InterpreterProfile, InterpreterProfile.id == Assignment.interpreter_id),
        report_filter,
    ).order_by(Assignment.booking_id, Assignment.leg)
    return [ChargeRow(booking_id, rate, currency) for booking_id, rate, currency in db.session.execute(statement)]


def _report_settings() -> None:
    if db.engine.dialect.name == "postgresql":
        # Until the end of the transaction, room to sort and hash a month of bookings in memory
        # (JIT is off on every connection of the portal: `rris.database`).
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def report_groups(
    report_filter: ReportFilter, middles: bool = True
) -> tuple[list[SessionGroup], list[ChargeGroup], dict[str, list[int]]]:
    """The sessions and charges of `report_filter` grouped, and (with `middles`; empty without,
    for a caller that reads every value with `report_samples`) the middle one or two values of the
    lead times and times to fill (microseconds) by name."""
    _report_settings()
    groups: list[SessionGroup] = []
    charges: list[ChargeGroup] = []
    found: dict[str, list[int]] = {"lead_time": [], "time_to_fill": []}
    statement = _report_statement(report_filter, id_range(report_filter), middles)
    for row in db.session.execute(statement).mappings():
        if row["part"] == "session":
            groups.append(
                SessionGroup(
                    country_code=row["country_code"],
                    applicant_language=row["applicant_language"],
                    state=row["state"],
                    filled=bool(row["filled"]),
                    cancelled_late=bool(row["cancelled_late"]),
                    modality=row["modality"],
                    on_demand=bool(row["on_demand"]),
                    had_call=row["attendance_channel"] is not None,
                    phone_fallback=row["attendance_channel"] == 1 or bool(row["answered_phone_leg"]),
                    has_summary=bool(row["has_summary"]),
                    sessions=row["sessions"],
                    booked_seconds=int(row["first"]),
                    summary_seconds=int(row["second"]),
                )
            )
        elif row["part"] == "charge":
            charges.append(
                ChargeGroup(
                    country_code=row["country_code"],
                    currency=row["currency"],
                    state=row["state"],
                    has_summary=bool(row["has_summary"]),
                    sessions=row["sessions"],
                    cost_by_summary=cents_to_amount(int(row["first"])),
                    cost_by_booking=cents_to_amount(int(row["second"])),
                    seconds_by_summary=int(row["third"]),
                    seconds_by_booking=int(row["fourth"]),
                )
            )
        else:
            found[row["part"]].append(int(row["first"]))
    return groups, charges, found


def report_samples(report_filter: ReportFilter) -> dict[str, list[int]]:
    """Every lead time and time to fill (microseconds) of `report_filter`'s sessions booked ahead,
    sorted: read from the bookings alone (they need none of the rows `_per_booking` joins), each
    measure as one array (PostgreSQL) or JSON list (SQLite) rather than a row per booking."""
    durations = filtered(
        select(_lead_time().label("lead_time"), _time_to_fill().label("time_to_fill")).select_from(Booking),
        report_filter,
    ).subquery()
    names = ("lead_time", "time_to_fill")
    columns = [durations.c[name] for name in names]
    if db.engine.dialect.name == "postgresql":
        found = db.session.execute(select(*(func.array_agg(c).filter(c.is_not(None)) for c in columns))).one()
        return {name: sorted(values or ()) for name, values in zip(names, found, strict=True)}
    found = db.session.execute(select(*(func.json_group_array(c).filter(c.is_not(None)) for c in columns))).one()
    return {name: sorted(json.loads(values)) if values else [] for name, values in zip(names, found, strict=True)}


def monthly_report(report_filter: ReportFilter) -> Report:
    """The figures for `report_filter` (a month from `ReportFilter.month`, or any run of local days)."""
    groups, charges, middles = report_groups(report_filter)
    return report_from_groups(
        report_filter.bounds,
        groups,
        charges,
        times_to_fill=middles["time_to_fill"],
        lead_times=middles["lead_time"],
    )


def monthly_report_from_rows(report_filter: ReportFilter) -> Report:
    """The same figures computed one booking at a time by `compute_report` (slow; for checking)."""
    return compute_report(report_filter, session_rows(report_filter), charge_rows(report_filter))
