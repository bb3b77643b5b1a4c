"""The monthly report read from the database on both backends: the period in the coordinator's
zone, the filters, call summaries, telephone fallback and the cost of each interpreter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rris.domain.reports import ReportFilter
from rris.enums import BookingState, CallRole, Modality, SessionKind
from rris.extensions import db
from rris.models import Assignment, Booking, CallAttendance, CallSummary, InterpreterProfile
from rris.queries.reports import monthly_report
from tests import factories

BELGRADE = "Europe/Belgrade"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def held(booking: Booking, interpreter: InterpreterProfile, leg: int = 1) -> None:
    """`interpreter` holds `leg` of `booking`."""
    db.session.add(
        Assignment(
            booking=booking,
            leg=leg,
            interpreter_id=interpreter.id,
            busy_from=booking.starts_at,
            busy_until=booking.ends_at,
            assigned_at=booking.created_at,
        )
    )


def summary(booking: Booking, seconds: int) -> None:
    db.session.add(
        CallSummary(
            booking_id=booking.id,
            delivered_seconds=seconds,
            first_joined_at=booking.starts_at,
            last_left_at=booking.ends_at,
            updated_at=booking.ends_at,
        )
    )


def joined(booking: Booking, role: CallRole, channel: str = "browser") -> None:
    db.session.add(
        CallAttendance(booking_id=booking.id, user_id=None, role=role, channel=channel, joined_at=booking.starts_at)
    )


def booked(department, created_at: datetime, **fields: object) -> Booking:
    """A booking made at `created_at` (the factory's default creation date is months earlier)."""
    record = factories.booking(department, **fields)
    record.created_at = created_at
    return record


@pytest.fixture
def march(ctx):
    """Serbia and North Macedonia in March 2026 (clocks change on the 29th), hand-computed below."""
    belgrade = factories.department("RS")
    skopje = factories.department("MK")
    mariam = factories.interpreter(name="Mariam Ahmadzai")  # 35.00 EUR
    omid = factories.interpreter(pairs=(("prs", "eng"),), name="Omid Rahimi")
    omid.hourly_rate, omid.rate_currency = Decimal("25.00"), "GBP"
    created = utc(2026, 3, 1, 9, 0)

    # 1. Serbia, Pashto, video, 37 min delivered by the call (booked 60), browser only.
    first = booked(
        belgrade,
        starts_at=utc(2026, 3, 10, 8, 0),
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(minutes=20),
    )
    # 2. Serbia, Dari, video, 31 March 23:30-00:30 local (21:30 UTC): March's; the interpreter
    #    fell back to telephone; 60 min delivered.
    second = booked(
        belgrade,
        starts_at=utc(2026, 3, 31, 21, 30),
        applicant_language="prs",
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(minutes=40),
    )
    # 3. North Macedonia, Pashto, phone, 45 min booked, completed without call records.
    third = booked(
        skopje,
        starts_at=utc(2026, 3, 29, 7, 0),
        minutes=45,
        officer_language="mkd",
        modality=Modality.PHONE,
        session_kind=SessionKind.REGISTRATION,
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(hours=1),
    )
    # 4. Serbia, cancelled late after being filled.
    fourth = booked(
        belgrade,
        starts_at=utc(2026, 3, 12, 8, 0),
        state=BookingState.CANCELLED,
        cancelled_late=True,
        created_at=created,
        confirmed_at=created + timedelta(hours=2),
        cancelled_at=utc(2026, 3, 12, 7, 0),
    )
    # 5. Serbia, unfilled.
    booked(belgrade, starts_at=utc(2026, 3, 13, 8, 0), state=BookingState.UNFILLED, created_at=created)
    # 6. Serbia, 1 April 00:30 local (31 March 22:30 UTC): April's, left out.
    booked(belgrade, starts_at=utc(2026, 3, 31, 22, 30), state=BookingState.COMPLETED, created_at=created)

    held(first, mariam)
    held(second, omid)
    held(third, mariam)
    held(fourth, mariam)
    summary(first, 37 * 60)
    summary(second, 60 * 60)
    joined(first, CallRole.OFFICER)
    joined(first, CallRole.INTERPRETER)
    joined(second, CallRole.OFFICER)
    joined(second, CallRole.INTERPRETER, channel="phone")
    db.session.commit()
    return belgrade, skopje


def test_march_report_matches_the_hand_computed_figures(march):
    report = monthly_report(ReportFilter.month(2026, 3, BELGRADE))
    assert report.bounds == (utc(2026, 2, 28, 23, 0), utc(2026, 3, 31, 22, 0))
    assert report.requested_sessions == 5
    assert report.requested_seconds == (60 + 60 + 45 + 60 + 60) * 60
    assert report.delivered_sessions == 3
    assert report.delivered_seconds == (37 + 60 + 45) * 60
    assert report.filled_sessions == 4
    assert report.fill_rate == pytest.approx(4 / 5)
    # Times to fill 20 min, 40 min, 1 h, 2 h → 50 min.
    assert report.median_time_to_fill == timedelta(minutes=50)
    assert report.late_cancellations == 1
    assert report.outcomes[BookingState.UNFILLED] == 1
    assert (report.calls, report.phone_fallbacks) == (2, 1)
    assert report.seconds_by_language == {("RS", "pus"): 37 * 60, ("RS", "prs"): 60 * 60, ("MK", "pus"): 45 * 60}
    # 37 min at 35.00 EUR = 21.5833 → 21.58; 60 min at 25.00 GBP; 45 min at 35.00 EUR = 26.25.
    assert report.cost == {
        ("RS", "EUR"): Decimal("21.58"),
        ("RS", "GBP"): Decimal("25.00"),
        ("MK", "EUR"): Decimal("26.25"),
    }


def test_filters_narrow_the_report(march):
    belgrade, _skopje = march
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, country_code="MK")).requested_sessions == 1
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, department_id=belgrade.id)).requested_sessions == 4
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, language="prs")).requested_sessions == 1
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, language="mkd")).requested_sessions == 1
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, modality=Modality.PHONE)).requested_sessions == 1
    registrations = ReportFilter.month(2026, 3, BELGRADE, session_kind=SessionKind.REGISTRATION)
    assert monthly_report(registrations).cost == {("MK", "EUR"): Decimal("26.25")}


def test_april_gets_the_session_that_starts_after_local_midnight(march):
    report = monthly_report(ReportFilter.month(2026, 4, BELGRADE))
    assert (report.requested_sessions, report.delivered_sessions) == (1, 1)
    assert report.cost == {}  # nobody holds it
