"""The existing figures with on-demand calls in the month: the figures about booking ahead
(requested, filled, fill rate, time to fill, lead time, cancellations by notice, outcomes) count
sessions booked ahead only; delivered time, minutes by language, what each country owes and
utilisation count on-demand calls too, billed as every session. Real flows through the
on-demand services, both databases; each figure also computed one booking at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rris.bookings.models.bookings import Booking
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.reports import Report
from rris.reports.queries.reports import monthly_report, monthly_report_from_rows
from rris.reports.queries.utilisation import pool_utilisation
from tests import factories
from tests.reports.on_demand_month import ON_DEMAND_COST, ON_DEMAND_SECONDS, OnDemandMonth, on_demand_january

JANUARY = ReportFilter.month(2026, 1, "Europe/Belgrade")
HOUR = 3600


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def booked(department: Department, created_at: datetime, **fields: object) -> Booking:
    """A booking made at `created_at` (the factory's default creation date is months earlier)."""
    record = factories.booking(department, **fields)
    record.created_at = created_at
    return record


@pytest.fixture
def month(ctx) -> OnDemandMonth:
    """The on-demand January, and three sessions booked ahead in Serbia:

    - completed, created 2 Jan 09:00, filled 20 min later, held 13 Jan 08:00-09:00 by Omid;
    - unfilled, created 5 Jan 08:00 for 14 Jan 08:00;
    - cancelled less than the notice before it (late) while unfilled, created 9 Jan 08:00 for 15 Jan 08:00.
    """
    calls = on_demand_january()
    belgrade = factories.department("RS")
    omid = factories.interpreter(name="Omid Rahimi")
    completed = booked(
        belgrade,
        starts_at=utc(2026, 1, 13, 8),
        state=BookingState.COMPLETED,
        created_at=utc(2026, 1, 2, 9),
        confirmed_at=utc(2026, 1, 2, 9, 20),
    )
    factories.held(completed, omid)
    booked(belgrade, starts_at=utc(2026, 1, 14, 8), state=BookingState.UNFILLED, created_at=utc(2026, 1, 5, 8))
    booked(
        belgrade,
        starts_at=utc(2026, 1, 15, 8),
        state=BookingState.CANCELLED,
        cancelled_late=True,
        created_at=utc(2026, 1, 9, 8),
    )
    db.session.commit()
    return calls


def january() -> Report:
    report = monthly_report(JANUARY)
    assert report == monthly_report_from_rows(JANUARY)
    return report


def test_sessions_requested_and_their_minutes_are_those_booked_ahead(month):
    report = january()
    assert report.requested_sessions == 3
    assert report.requested_seconds == 3 * HOUR


def test_the_fill_rate_counts_sessions_booked_ahead(month):
    report = january()
    # One filled of the two that could be (the one cancelled unfilled is left out); answered
    # on-demand calls are not "filled" sessions.
    assert report.filled_sessions == 1
    assert report.fill_rate == 0.5


def test_the_median_time_to_fill_is_of_sessions_booked_ahead(month):
    assert january().median_time_to_fill == timedelta(minutes=20)


def test_the_median_lead_time_is_of_sessions_booked_ahead(month):
    # 11 days minus an hour, 9 days, 6 days: an on-demand call's seconds would pull it down.
    assert january().median_lead_time == timedelta(days=9)


def test_cancellations_by_notice_leave_abandoned_calls_out(month):
    report = january()
    assert (report.late_cancellations, report.early_cancellations) == (1, 0)


def test_outcomes_are_those_of_sessions_booked_ahead(month):
    assert january().outcomes == {
        BookingState.COMPLETED: 1,
        BookingState.UNFILLED: 1,
        BookingState.CANCELLED: 1,
    }


def test_delivered_minutes_and_what_serbia_owes_include_on_demand_calls_billed_like_any_session(month):
    report = january()
    assert report.delivered_sessions == 3
    assert report.delivered_seconds == HOUR + ON_DEMAND_SECONDS
    assert report.seconds_by_language == {("RS", "pus"): HOUR + ON_DEMAND_SECONDS}
    assert report.cost == {("RS", "EUR"): Decimal("35.00") + ON_DEMAND_COST}
    assert report.cost_sessions == {("RS", "EUR"): 3}


def test_utilisation_counts_the_time_on_demand_calls_held(month):
    booked = {person.name: person.figures.booked_seconds for person in pool_utilisation(JANUARY)}
    # Mariam: call A (1,200 s) and call D, answered and never connected (30 s, held all the same).
    assert booked["Mariam Ahmadzai"] == 1200 + 30
    assert booked["Nadia Karimi"] == 600
    assert booked["Omid Rahimi"] == HOUR
