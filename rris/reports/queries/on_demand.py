"""Loading the on-demand figures of a report's period (`rris.reports.domain.on_demand` states the rules).

`on_demand_report` lets the database count: the calls come back grouped (`OnDemandGroup`), and of
the speed-of-answer durations only the values at the ranks each percentile lies between, picked
by a window over them, so a month of calls never travels to Python; the interpolation is the
domain's, the same on SQLite and PostgreSQL. The calls are the bookings `filtered` picks, with
the report's period and narrowing, so their minutes are exactly those billed.
`on_demand_rows` loads them one row each for `compute_on_demand` (the tests compare the two).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import CTE, func, or_, select

from rris.bookings.models.bookings import Booking
from rris.common.models.durations import microseconds_between
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall
from rris.pool.models.geography import Country
from rris.reports.domain.on_demand import (
    PERCENTS,
    OnDemandGroup,
    OnDemandReport,
    OnDemandRow,
    compute_on_demand,
    on_demand_from_groups,
    percentile,
)
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.report_sql import booked_seconds, filtered, summary_seconds


def _per_call(report_filter: ReportFilter) -> CTE:
    """One row per on-demand call of the report: what the figures look at."""
    statement = filtered(
        select(
            Country.code.label("country_code"),
            Booking.applicant_language.label("applicant_language"),
            Booking.state.label("state"),
            booked_seconds().label("booked_seconds"),
            summary_seconds().label("summary_seconds"),
            microseconds_between(OnDemandCall.answered_at, OnDemandCall.requested_at).label("answer"),
            OnDemandCall.abandoned_at.is_not(None).label("abandoned"),
        )
        .select_from(OnDemandCall)
        .join(Booking, Booking.id == OnDemandCall.booking_id)
        .join(Country, Country.id == Booking.country_id)
        .where(Booking.on_demand.is_(True)),
        report_filter,
    )
    return statement.cte("per_call")


def _groups(per_call: CTE) -> list[OnDemandGroup]:
    answered = per_call.c.answer.is_not(None)
    has_summary = per_call.c.summary_seconds.is_not(None)
    keys = (per_call.c.country_code, per_call.c.applicant_language, per_call.c.state, answered, per_call.c.abandoned)
    statement = select(
        *keys,
        has_summary,
        func.count(),
        func.sum(per_call.c.booked_seconds),
        func.coalesce(func.sum(per_call.c.summary_seconds), 0),
    ).group_by(*keys, has_summary)
    return [
        OnDemandGroup(
            country,
            language,
            state,
            bool(was_answered),
            bool(abandoned),
            bool(summary),
            calls,
            int(booked),
            int(by_summary),
        )
        for country, language, state, was_answered, abandoned, summary, calls, booked, by_summary in db.session.execute(
            statement
        )
    ]


def _speed_of_answer(per_call: CTE) -> dict[int, timedelta | None]:
    """Each percentile of answered − requested, from the values at its two ranks only."""
    answer = per_call.c.answer
    ranked = (
        select(
            answer.label("value"),
            func.row_number().over(order_by=answer).label("rank"),
            func.count().over().label("count"),
        )
        .where(answer.is_not(None))
        .subquery()
    )
    wanted: list[Any] = []
    for percent in PERCENTS:
        lower = (ranked.c.count - 1) * percent // 100 + 1
        wanted += [ranked.c.rank == lower, ranked.c.rank == lower + 1]
    picked = select(ranked.c.rank, ranked.c.value, ranked.c.count).where(or_(*wanted))
    by_rank: dict[int, int] = {}
    count = 0
    for rank, value, total in db.session.execute(picked):
        by_rank[int(rank)] = int(value)
        count = int(total)
    return {percent: percentile(count, percent, by_rank) for percent in PERCENTS}


def on_demand_report(report_filter: ReportFilter) -> OnDemandReport:
    """The on-demand figures for `report_filter`."""
    per_call = _per_call(report_filter)
    return on_demand_from_groups(_groups(per_call), _speed_of_answer(per_call))


def on_demand_groups(report_filter: ReportFilter) -> list[OnDemandGroup]:
    """The report's on-demand calls grouped (what `on_demand_from_groups` adds up)."""
    return _groups(_per_call(report_filter))


def answer_sample(report_filter: ReportFilter) -> list[int]:
    """Every answer time (answered − requested, microseconds) of the report's calls, sorted."""
    answer = _per_call(report_filter).c.answer
    return [int(value) for value in db.session.scalars(select(answer).where(answer.is_not(None)).order_by(answer))]


def on_demand_rows(report_filter: ReportFilter) -> list[OnDemandRow]:
    """The report's on-demand calls one row each."""
    per_call = _per_call(report_filter)
    statement = select(per_call)
    return [
        OnDemandRow(
            country_code=row.country_code,
            applicant_language=row.applicant_language,
            state=row.state,
            booked_seconds=int(row.booked_seconds),
            summary_seconds=row.summary_seconds,
            answer_microseconds=None if row.answer is None else int(row.answer),
            abandoned=bool(row.abandoned),
        )
        for row in db.session.execute(statement)
    ]


def on_demand_report_from_rows(report_filter: ReportFilter) -> OnDemandReport:
    """The same figures computed one call at a time by `compute_on_demand` (slow; for checking)."""
    return compute_on_demand(on_demand_rows(report_filter))
