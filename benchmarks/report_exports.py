"""What a coordinator waits for on top of the monthly figures: the whole report page's work (the
twelve-month trend, utilisation, tables and charts) and a year exported as XLSX, on the data
`benchmarks.reports` generated. The page's charts are kept once drawn, so the page is timed as
read again; the charts' own line times them drawn afresh (the month's first reader in a language)
beside them kept. The busy month is timed closed (read from its rollup) and open, as on its
20th day (`OPEN_MONTH_NOW`): its 19 ended days kept (counted first, as the scheduler's job does),
today and the days ahead counted live, the eleven months before it kept; and open again just after a booking of one
of its ended days changed (that day counted again)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from time import perf_counter

from flask import Flask
from sqlalchemy import func, select, update

from benchmarks.report import Reporter
from benchmarks.reports import BUSY_MONTH, REPORT_YEAR, REPORT_ZONE, time_calls
from rris.access.domain.permissions import Actor
from rris.context import current_clock
from rris.enums import Role
from rris.extensions import db
from rris.reports.domain.report_period import ReportFilter
from rris.reports.integrations.charts import forget_drawn
from rris.reports.models.rollups import ReportRollup, ReportRollupRow
from rris.reports.services.reporting import TREND_MONTHS, build_report, charts_of, export_xlsx, trend_filters
from rris.reports.services.rollups import closed_months, kept_days_of

PAGE_RUNS = 5
YEAR_RUNS = 3
COORDINATOR = Actor(user_id=1, role=Role.COORDINATOR)
OPEN_MONTH_NOW = datetime(REPORT_YEAR, BUSY_MONTH, 20, 12, 0, tzinfo=UTC)  # the busy month is still open


def run_report_exports(app: Flask, report: Reporter, page_runs: int = PAGE_RUNS, year_runs: int = YEAR_RUNS) -> None:
    """Time the busy month's page work and the year's XLSX for the whole pool (cross-country),
    after timing the first count of the year's closed months into their rollups (what the
    scheduler's job does before anyone asks; the page and the export then read them)."""
    month = ReportFilter.month(REPORT_YEAR, BUSY_MONTH, REPORT_ZONE)
    year = ReportFilter(date(REPORT_YEAR, 1, 1), date(REPORT_YEAR, 12, 31), REPORT_ZONE)
    with app.app_context():
        started = perf_counter()
        closed_months([months for _first, months in trend_filters(year)], current_clock().now())
        report.emit("report_rollup_fill", "seconds", perf_counter() - started, "s", months=TREND_MONTHS)
        report.emit("report_rollup_fill", "rows", db.session.scalar(select(func.count(ReportRollupRow.id))), "rows")

        started = perf_counter()
        kept_days_of(month, OPEN_MONTH_NOW)
        report.emit("report_open_days_fill", "seconds", perf_counter() - started, "s", days=OPEN_MONTH_NOW.day - 1)

        def page(now: datetime) -> None:
            view = build_report(COORDINATOR, month, now)
            view.tables()
            charts_of(view)

        def page_after_a_change() -> None:
            # What a trigger does when a booking of the 10th changes: that day's figures go stale.
            changed = date(REPORT_YEAR, BUSY_MONTH, 10)
            db.session.execute(
                update(ReportRollup)
                .where(ReportRollup.first_day == changed, ReportRollup.last_day == changed)
                .values(version=ReportRollup.version + 1)
            )
            db.session.commit()
            page(OPEN_MONTH_NOW)

        report.latencies(
            "report_page_month", time_calls(lambda: page(current_clock().now()), page_runs), percents=(50, 95)
        )
        report.latencies(
            "report_page_open_month", time_calls(lambda: page(OPEN_MONTH_NOW), page_runs), percents=(50, 95)
        )
        report.latencies(
            "report_page_open_month_changed_day", time_calls(page_after_a_change, page_runs), percents=(50, 95)
        )
        view = build_report(COORDINATOR, month, current_clock().now())

        def charts_afresh() -> None:
            forget_drawn()
            charts_of(view)

        report.latencies("report_charts_month", time_calls(charts_afresh, page_runs, warmups=0), percents=(50, 95))
        report.latencies("report_charts_month_kept", time_calls(lambda: charts_of(view), page_runs), percents=(50, 95))
        sizes: list[int] = []

        def workbook() -> None:
            sizes.append(len(export_xlsx(build_report(COORDINATOR, year, current_clock().now()))))

        report.latencies("report_xlsx_year", time_calls(workbook, year_runs), percents=(50, 95))
        report.emit("report_xlsx_year", "bytes", sizes[-1], "B", period=f"{REPORT_YEAR}")
        db.session.rollback()
