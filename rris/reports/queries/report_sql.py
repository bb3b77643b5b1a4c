"""SQL the report queries share: a booking's booked and summary seconds, the report filter
applied to a statement over bookings, and the legs of a period's bookings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from rris.bookings.models.bookings import Assignment, Booking
from rris.calls.models.calls import CallSummary
from rris.common.models.durations import MICROSECONDS_PER_SECOND, microseconds_between
from rris.extensions import db
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


IdRange = tuple[int | None, int | None]


def id_range(report_filter: ReportFilter) -> IdRange:
    """The lowest and highest id of the bookings `report_filter` picks (None, None when none).

    A booking's id is given when it is made, weeks before it starts, so a period's bookings have
    close ids: the rows that hang off them (legs, attendances, summaries, telephone legs) are
    read by this range on their own key, and the planner, given the two numbers, knows how many
    rows that is. Read from the period's bookings themselves (the planner would otherwise walk
    the primary key from one end until it met the period)."""
    ids = filtered(select(Booking.id), report_filter).cte("period_ids").prefix_with("MATERIALIZED")
    first, last = db.session.execute(select(func.min(ids.c.id), func.max(ids.c.id))).one()
    return first, last


def in_id_range(booking_id: ColumnElement[int] | InstrumentedAttribute[int], ids: IdRange) -> ColumnElement[bool]:
    """`booking_id` within `ids` (false for an empty range)."""
    first, last = ids
    if first is None or last is None:
        return false()
    return and_(booking_id >= first, booking_id <= last)


def month_legs(booking_id: ColumnElement[int], ids: IdRange) -> ColumnElement[bool]:
    """The join condition of the legs still held of the booking `booking_id`, with the range of
    the period's booking ids on the legs' own key: the database reads the legs of the period's
    bookings by index (their ids are close: a booking gets its id when it is made, weeks before
    it starts), not every leg ever assigned to hash them."""
    return and_(
        Assignment.booking_id == booking_id, Assignment.released_at.is_(None), in_id_range(Assignment.booking_id, ids)
    )
