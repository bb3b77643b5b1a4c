"""SQL the report queries share: exact durations between instants, a booking's booked and
summary seconds, and the report filter applied to a statement over bookings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallSummary
from rris.pool.models.geography import Country
from rris.reports.domain.report_period import ReportFilter

MICROSECONDS_PER_SECOND = 1_000_000


class microseconds_between(FunctionElement[int]):  # noqa: N801 (an SQL function, named like one)
    """`later` − `earlier` (two instant columns) in whole microseconds: exact, unlike a float of seconds."""

    type = BigInteger()
    name = "microseconds_between"
    inherit_cache = True


@compiles(microseconds_between, "sqlite")
def _microseconds_between_sqlite(element: microseconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy stores instants on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): whole seconds
    # from unixepoch (SQLite 3.38+), the microseconds from their six digits (none → 0).
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"((unixepoch({later}) - unixepoch({earlier})) * 1000000"
        f" + CAST(substr({later}, 21, 6) AS INTEGER) - CAST(substr({earlier}, 21, 6) AS INTEGER))"
    )


@compiles(microseconds_between, "postgresql")
def _microseconds_between_postgresql(element: microseconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # EXTRACT(EPOCH ...) of an interval is numeric (exact) since PostgreSQL 14.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000 AS BIGINT)"


def booked_seconds() -> ColumnElement[int]:
    """A booking's booked duration in whole seconds, truncated as `SessionRow.booked_seconds` is."""
    return (
        microseconds_between(Booking.ends_at, Booking.starts_at) // MICROSECONDS_PER_SECOND
    )  # positive: floor is truncation


def summary_seconds() -> ColumnElement[int | None]:
    """The call summary's delivered seconds; NULL when the call left no summary (one look up
    the summary's key: cheaper than joining, which makes PostgreSQL hash every summary)."""
    return (
        select(CallSummary.delivered_seconds)
        .where(CallSummary.booking_id == Booking.id)
        .correlate(Booking)
        .scalar_subquery()
    )


def filtered(statement: Select[Any], report_filter: ReportFilter) -> Select[Any]:
    """`statement` (which selects from bookings) narrowed to the period and the filter."""
    start, end = report_filter.bounds
    statement = statement.where(Booking.starts_at >= start, Booking.starts_at < end)
    if report_filter.country_code is not None:
        country_id = select(Country.id).where(Country.code == report_filter.country_code).scalar_subquery()
        statement = statement.where(Booking.country_id == country_id)
    if report_filter.department_id is not None:
        statement = statement.where(Booking.department_id == report_filter.department_id)
    if report_filter.language is not None:
        statement = statement.where(
            or_(
                Booking.applicant_language == report_filter.language,
                Booking.officer_language == report_filter.language,
            )
        )
    if report_filter.session_kind is not None:
        statement = statement.where(Booking.session_kind == report_filter.session_kind)
    if report_filter.modality is not None:
        statement = statement.where(Booking.modality == report_filter.modality)
    return statement
