"""Closed months' figures kept in rollups: the page, the API's figures and the exports read the
same figures from them as computed live (sessions booked ahead and on-demand, medians and
percentiles over several months, utilisation, small counts hidden), on both databases; and a
closed month computed once is read, not counted again, until one of its bookings changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import Connection, func, select

from rris.access.domain.permissions import Actor
from rris.enums import Role
from rris.extensions import db
from rris.reports.domain.report_period import ReportFilter
from rris.reports.models.rollups import ReportRollup, ReportRollupRow
from rris.reports.queries.on_demand import on_demand_report
from rris.reports.queries.reports import monthly_report
from rris.reports.queries.utilisation import pool_utilisation
from rris.reports.services.reporting import EXPORTED_TABLES, build_report, export_csv, period_figures, trend_filters
from rris.timeutil import FrozenClock
from tests.conftest import DEFAULT_NOW, rolled_back
from tests.reports.rollup_months import AFTER_JANUARY, BELGRADE, generated_months

COORDINATOR = Actor(user_id=1, role=Role.COORDINATOR)
DECEMBER = ReportFilter.month(2025, 12, BELGRADE)
JANUARY = ReportFilter.month(2026, 1, BELGRADE)
WINTER = ReportFilter(date(2025, 12, 1), date(2026, 1, 31), BELGRADE)


@pytest.fixture(scope="module")
def shared_months(app: Flask) -> Iterator[Connection]:
    """The two months generated once per database: every test here runs in a savepoint of the
    transaction that holds them (see `_database`), so what one keeps or changes is gone for the next."""
    clock: FrozenClock = app.extensions["rris.clock"]
    clock.set(DEFAULT_NOW)
    with rolled_back(app) as connection:
        with app.test_request_context():
            generated_months()
        yield connection
    clock.set(DEFAULT_NOW)


@pytest.fixture
def shared_connection(shared_months: Connection) -> Connection:
    return shared_months


@pytest.fixture
def months(shared_connection: Connection, ctx: None, clock: FrozenClock) -> None:
    """The two months (`tests.reports.rollup_months`), the clock after both (both closed)."""
    clock.set(AFTER_JANUARY)


def current_rollups() -> int:
    return db.session.scalar(
        select(func.count()).select_from(ReportRollup).where(ReportRollup.filled_version == ReportRollup.version)
    )


def live_view(view):
    """`view` with every figure computed live, as before rollups."""
    return replace(
        view,
        report=monthly_report(view.report_filter),
        on_demand=on_demand_report(view.report_filter),
        trend=[(first, monthly_report(month)) for first, month in trend_filters(view.report_filter)],
        utilisation=pool_utilisation(view.report_filter),
    )


@pytest.mark.parametrize(
    "report_filter",
    [JANUARY, WINTER, ReportFilter.month(2026, 1, BELGRADE, country_code="RS"), replace(WINTER, language="prs")],
    ids=["january", "december-january", "january-serbia", "winter-dari"],
)
def test_kept_figures_are_the_live_figures(months, report_filter):
    first = build_report(COORDINATOR, report_filter, AFTER_JANUARY)  # computes the closed months and keeps them
    kept = current_rollups()
    assert kept >= 2
    again = build_report(COORDINATOR, report_filter, AFTER_JANUARY)  # reads them
    assert current_rollups() == kept
    live = live_view(again)
    for view in (first, again):
        assert view.report == live.report
        assert view.on_demand == live.on_demand
        assert view.trend == live.trend
        assert view.utilisation == live.utilisation
        for key in EXPORTED_TABLES:  # small counts hidden alike in every export
            assert export_csv(view, key) == export_csv(live, key)
    assert again.on_demand.requests == (4 if report_filter.language is None else 0)


def test_a_run_of_months_takes_its_medians_and_percentiles_from_every_session_of_the_run(months):
    figures = period_figures(COORDINATOR, WINTER, AFTER_JANUARY)
    assert figures.report.median_lead_time == monthly_report(WINTER).median_lead_time
    assert figures.report.median_time_to_fill == monthly_report(WINTER).median_time_to_fill
    assert figures.on_demand.speed_of_answer == on_demand_report(WINTER).speed_of_answer
    assert figures.report == monthly_report(WINTER)


def test_the_open_month_is_never_kept_whole(months):
    view = build_report(COORDINATOR, ReportFilter.month(2026, 2, BELGRADE), AFTER_JANUARY)
    kept_months = set(
        db.session.scalars(select(ReportRollup.first_day).where(ReportRollup.last_day > ReportRollup.first_day))
    )
    assert date(2026, 2, 1) not in kept_months
    assert {date(2025, 12, 1), date(2026, 1, 1)} <= kept_months
    assert view.trend[-1][1] == monthly_report(ReportFilter.month(2026, 2, BELGRADE))


def test_kept_figures_are_read_not_counted_again(months):
    build_report(COORDINATOR, JANUARY, AFTER_JANUARY)
    rows = db.session.scalar(select(func.count()).select_from(ReportRollupRow))
    # Mark January's kept session groups with a figure no booking has: the page shows the kept one.
    january = db.session.scalar(select(ReportRollup.id).where(ReportRollup.first_day == date(2026, 1, 1)))
    db.session.execute(
        ReportRollupRow.__table__.update()
        .where(ReportRollupRow.rollup_id == january, ReportRollupRow.part == "session")
        .values(count=ReportRollupRow.count + 1000)
    )
    db.session.commit()
    assert build_report(COORDINATOR, JANUARY, AFTER_JANUARY).report.requested_sessions > 1000
    assert db.session.scalar(select(func.count()).select_from(ReportRollupRow)) == rows
