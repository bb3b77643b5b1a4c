"""The open month's report: its ended days kept in rollups (one a day), today and the days ahead
counted live, and the page, the API's figures and the exports equal to a live count of the whole
month, on both databases; a change to a kept day counts that day again and no other; at the day's
rollover yesterday is kept and the new day counted live; once the month ends it is kept whole
and its days are forgotten."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from rris.bookings.models.bookings import Booking
from rris.enums import BookingState
from rris.extensions import db
from rris.reports.domain.report_period import ReportFilter
from rris.reports.models.rollups import ReportRollup
from rris.reports.queries.on_demand import on_demand_report
from rris.reports.queries.reports import monthly_report
from rris.reports.services.reporting import EXPORTED_TABLES, build_report, export_csv, period_figures
from rris.reports.services.rollups import forget_ended_months_days
from rris.timeutil import to_local
from tests.reports.rollup_months import AFTER_JANUARY, BELGRADE
from tests.reports.test_report_rollups import COORDINATOR, DECEMBER, JANUARY, live_view

MID_JANUARY = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # January open: its bookings lie on the 14th, 15th and 16th
NEXT_DAY = MID_JANUARY + timedelta(days=1)


def kept_days() -> dict[date, bool]:
    """Each kept day of January (the whole narrowing of `JANUARY`) and whether it is current."""
    rollups = db.session.scalars(
        select(ReportRollup).where(
            ReportRollup.first_day == ReportRollup.last_day, ReportRollup.first_day >= date(2026, 1, 1)
        )
    ).all()
    for rollup in rollups:
        db.session.refresh(rollup)
    return {rollup.first_day: rollup.filled_version == rollup.version for rollup in rollups}


def january_kept_whole() -> bool:
    return (
        db.session.scalar(
            select(ReportRollup.id).where(
                ReportRollup.first_day == date(2026, 1, 1), ReportRollup.last_day == date(2026, 1, 31)
            )
        )
        is not None
    )


def assert_live(view) -> None:
    live = live_view(view)
    assert view.report == live.report
    assert view.on_demand == live.on_demand
    assert view.trend == live.trend
    assert view.utilisation == live.utilisation
    for key in EXPORTED_TABLES:
        assert export_csv(view, key) == export_csv(live, key)


def a_booking_of(months, day: int) -> Booking:
    _calls, bookings = months
    return next(
        booking
        for booking in bookings
        if to_local(booking.starts_at, BELGRADE).date() == date(2026, 1, day)
        and booking.state is BookingState.COMPLETED
    )


@pytest.mark.parametrize(
    "report_filter",
    [
        JANUARY,
        ReportFilter.month(2026, 1, BELGRADE, country_code="MK"),
        ReportFilter.month(2026, 1, BELGRADE, language="prs"),
    ],
    ids=["january", "january-north-macedonia", "january-dari"],
)
def test_the_open_months_page_is_its_live_count_with_its_ended_days_kept(months, report_filter):
    first = build_report(COORDINATOR, report_filter, MID_JANUARY)  # counts the days and keeps them
    assert_live(first)
    again = build_report(COORDINATOR, report_filter, MID_JANUARY)  # reads them
    assert_live(again)
    assert again.report.requested_sessions > 0
    if report_filter == JANUARY:
        days = kept_days()
        assert set(days) == {date(2026, 1, day) for day in range(1, 15)}
        assert all(days.values())
        assert not january_kept_whole()
        assert again.on_demand.requests == 4


def test_the_api_figures_of_a_run_of_months_ending_with_the_open_one(months):
    winter = ReportFilter(date(2025, 12, 1), date(2026, 1, 31), BELGRADE)
    for _run in range(2):
        figures = period_figures(COORDINATOR, winter, MID_JANUARY)
        assert figures.report == monthly_report(winter)
        assert figures.on_demand == on_demand_report(winter)


def test_a_change_to_an_ended_day_counts_that_day_again_and_no_other(months):
    build_report(COORDINATOR, JANUARY, MID_JANUARY)
    before = monthly_report(JANUARY)
    booking = a_booking_of(months, 14)
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(state=BookingState.WRONG_LANGUAGE))
    db.session.commit()
    days = kept_days()
    assert days[date(2026, 1, 14)] is False
    assert all(current for day, current in days.items() if day != date(2026, 1, 14))
    view = build_report(COORDINATOR, JANUARY, MID_JANUARY)
    assert view.report != before
    assert_live(view)
    assert all(kept_days().values())


def test_a_change_to_today_or_a_day_ahead_shows_at_once(months):
    build_report(COORDINATOR, JANUARY, MID_JANUARY)
    for day in (15, 16):  # today, and a day ahead
        booking = a_booking_of(months, day)
        db.session.execute(update(Booking).where(Booking.id == booking.id).values(state=BookingState.APPLICANT_NO_SHOW))
        db.session.commit()
        assert all(kept_days().values())  # neither is kept: nothing went stale
        view = build_report(COORDINATOR, JANUARY, MID_JANUARY)
        assert view.report.applicant_no_shows == monthly_report(JANUARY).applicant_no_shows
        assert_live(view)


def test_at_the_days_rollover_yesterday_is_kept_and_the_new_day_counted_live(months):
    build_report(COORDINATOR, JANUARY, MID_JANUARY)
    assert date(2026, 1, 15) not in kept_days()
    view = build_report(COORDINATOR, JANUARY, NEXT_DAY)
    assert_live(view)
    days = kept_days()
    assert days[date(2026, 1, 15)] is True
    assert all(days.values())
    assert date(2026, 1, 16) not in days
    booking = a_booking_of(months, 16)  # today now: a change to it shows live
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(state=BookingState.TECHNICAL_FAILURE))
    db.session.commit()
    assert_live(build_report(COORDINATOR, JANUARY, NEXT_DAY))


def test_a_change_to_a_closed_month_while_another_is_open(months):
    build_report(COORDINATOR, JANUARY, MID_JANUARY)
    _calls, bookings = months
    december = next(
        booking for booking in bookings if booking.starts_at.month == 12 and booking.state is BookingState.COMPLETED
    )
    db.session.execute(update(Booking).where(Booking.id == december.id).values(state=BookingState.WRONG_LANGUAGE))
    db.session.commit()
    assert all(kept_days().values())  # January's days do not hold it
    view = build_report(COORDINATOR, JANUARY, MID_JANUARY)
    assert_live(view)
    assert dict(view.trend)[date(2025, 12, 1)] == monthly_report(DECEMBER)


def test_once_the_month_ends_it_is_kept_whole_and_its_days_forgotten(months):
    build_report(COORDINATOR, JANUARY, MID_JANUARY)
    assert kept_days()
    assert forget_ended_months_days(MID_JANUARY) == 0  # January is still open
    view = build_report(COORDINATOR, JANUARY, AFTER_JANUARY)
    assert_live(view)
    assert january_kept_whole()
    assert forget_ended_months_days(AFTER_JANUARY) == 14
    assert not kept_days()
    assert build_report(COORDINATOR, JANUARY, AFTER_JANUARY).report == monthly_report(JANUARY)
