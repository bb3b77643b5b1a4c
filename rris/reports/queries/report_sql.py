"""SQL the report queries share: a booking's booked and summary seconds, and the report filter
applied to a statement over bookings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallSummary
from rris.common.models.durations import MICROSECONDS_PER_SECOND, microseconds_between
from rris.pool.models.geography import Country
from rris.reports.domain.report_period import ReportFilter


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
