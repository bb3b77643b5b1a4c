"""Loading the rows a report needs (one compact row per booking, one per billed interpreter) and
computing its figures with `rris.domain.reports`."""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, or_, select

from rris.domain.reports import ChargeRow, Report, ReportFilter, SessionRow, compute_report
from rris.extensions import db
from rris.models import Assignment, Booking, CallAttendance, CallSummary, Country, InterpreterProfile, PhoneLeg
from rris.timeutil import ensure_utc

PHONE_CHANNEL = "phone"


def _booking_ids(report_filter: ReportFilter) -> Select[tuple[int]]:
    """The ids of the bookings that start in the period and match the filter."""
    start, end = report_filter.bounds
    statement = select(Booking.id).where(Booking.starts_at >= start, Booking.starts_at < end)
    if report_filter.country_code is not None:
        statement = statement.join(Country, Country.id == Booking.country_id).where(
            Country.code == report_filter.country_code
        )
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


def session_rows(report_filter: ReportFilter) -> list[SessionRow]:
    """One row per booking in the report, with its call summary and whether the call used a phone."""
    ids = _booking_ids(report_filter).scalar_subquery()
    had_call = exists().where(CallAttendance.booking_id == Booking.id)
    phone_fallback = or_(
        exists().where(CallAttendance.booking_id == Booking.id, CallAttendance.channel == PHONE_CHANNEL),
        exists().where(PhoneLeg.booking_id == Booking.id, PhoneLeg.answered_at.is_not(None)),
    )
    statement = (
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
            had_call.label("had_call"),
            phone_fallback.label("phone_fallback"),
            Booking.modality,
        )
        .join(Country, Country.id == Booking.country_id)
        .outerjoin(CallSummary, CallSummary.booking_id == Booking.id)
        .where(Booking.id.in_(ids))
        .order_by(Booking.starts_at, Booking.id)
    )
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
            had_call=bool(row[10]),
            phone_fallback=bool(row[11]),
            modality=row[12],
        )
        for row in db.session.execute(statement)
    ]


def charge_rows(report_filter: ReportFilter) -> list[ChargeRow]:
    """The interpreters still holding a leg of the report's bookings, with their rate and currency."""
    ids = _booking_ids(report_filter).scalar_subquery()
    statement = (
        select(Assignment.booking_id, InterpreterProfile.hourly_rate, InterpreterProfile.rate_currency)
        .join(InterpreterProfile, InterpreterProfile.id == Assignment.interpreter_id)
        .where(and_(Assignment.booking_id.in_(ids), Assignment.released_at.is_(None)))
        .order_by(Assignment.booking_id, Assignment.leg)
    )
    return [ChargeRow(booking_id, rate, currency) for booking_id, rate, currency in db.session.execute(statement)]


def monthly_report(report_filter: ReportFilter) -> Report:
    """The figures for `report_filter` (a month from `ReportFilter.month`, or any run of local days)."""
    return compute_report(report_filter, session_rows(report_filter), charge_rows(report_filter))
