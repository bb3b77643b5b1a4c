"""The monthly coordinator report on a generated year of bookings (1,000,000 at full size).

Reusable by other benchmarks (an export of a year, say):

- `generate_bookings(app, size)` fills the migrated, empty database of a benchmark app
  (`benchmarks.environment.bench_app`) with the 7 countries and all their departments, a
  caseworker per department, `size.interpreters` interpreters paid in EUR, TRY, USD, GBP and MKD,
  and `size.bookings` bookings spread over the 12 months of `REPORT_YEAR` with their assignments,
  call summaries, call attendances and telephone legs.
- `time_calls(function, runs)` calls a function a few times untimed, then `runs` times, and
  returns the durations in milliseconds (`Reporter.latencies` turns them into p50/p95).

The year's shape is `benchmarks.report_data`; `benchmarks.report_generator` draws its rows
(deterministic: one `random.Random(seed)`) as plain dicts, written here with Core bulk inserts on
SQLite and with COPY on PostgreSQL, `BATCH_BOOKINGS` bookings (and the rows that refer to them)
at a time.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from time import perf_counter

from flask import Flask
from sqlalchemy import select, text

from benchmarks.report import Reporter
from benchmarks.report_data import (
    BUSY_MONTH,
    REPORT_COUNTRY,
    REPORT_LANGUAGES,
    REPORT_YEAR,
    REPORT_ZONE,
    GeneratedCounts,
    ReportSize,
)
from benchmarks.report_generator import YearGenerator
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.demo.bulk_rows import insert_rows
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Language
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.reports import monthly_report

RUNS = 20
WARMUPS = 2


def generate_bookings(app: Flask, size: ReportSize) -> GeneratedCounts:
    """Fill the migrated, empty database of `app` (languages synced) with `size` generated bookings."""
    started = perf_counter()
    gc.disable()  # millions of short-lived row dicts: the cyclic collector would only rescan them
    try:
        with app.app_context():
            counts = _load(size)
    finally:
        gc.enable()
    counts.seconds = perf_counter() - started
    return counts


def _load(size: ReportSize) -> GeneratedCounts:
    missing = set(REPORT_LANGUAGES) - set(
        db.session.scalars(select(Language.code).where(Language.code.in_(REPORT_LANGUAGES)))
    )
    if missing:
        raise RuntimeError(f"languages missing from the catalogue (run sync_languages first): {sorted(missing)}")
    generator = YearGenerator(random.Random(size.seed), size)
    for table, rows in generator.reference_rows():
        insert_rows(table, rows)
    db.session.commit()
    for batch in generator.batches():
        insert_rows(Booking.__table__, batch.bookings)
        insert_rows(Assignment.__table__, batch.assignments)
        insert_rows(CallSummary.__table__, batch.summaries)
        insert_rows(CallAttendance.__table__, batch.attendances)
        insert_rows(PhoneLeg.__table__, batch.phone_legs)
        db.session.commit()
    _after_load()
    return generator.counts


def time_calls(function: Callable[[], object], runs: int = RUNS, warmups: int = WARMUPS) -> list[float]:
    """Call `function` `warmups` times untimed, then `runs` times; each timed call's duration in ms."""
    for _ in range(warmups):
        function()
    samples = []
    for _ in range(runs):
        start = perf_counter()
        function()
        samples.append((perf_counter() - start) * 1000)
    return samples


def run_reports(app: Flask, report: Reporter, size: ReportSize, runs: int = RUNS) -> None:
    """Generate `size` bookings into `app`'s database, then time the busy month's report, for the
    whole pool and for one country."""
    counts = generate_bookings(app, size)
    report.emit("report_data", "generation_seconds", counts.seconds, "s")
    report.emit("report_data", "bookings", counts.bookings, "rows")
    report.emit("report_data", "assignments", counts.assignments, "rows")
    report.emit("report_data", "call_summaries", counts.call_summaries, "rows")
    report.emit("report_data", "call_attendances", counts.call_attendances, "rows")
    report.emit("report_data", "phone_legs", counts.phone_legs, "rows")
    filters = {
        "monthly_report_pool": ReportFilter.month(REPORT_YEAR, BUSY_MONTH, REPORT_ZONE),
        "monthly_report_country": ReportFilter.month(REPORT_YEAR, BUSY_MONTH, REPORT_ZONE, country_code=REPORT_COUNTRY),
    }
    with app.app_context():
        for bench, report_filter in filters.items():
            samples = time_calls(lambda report_filter=report_filter: monthly_report(report_filter), runs)
            figures = monthly_report(report_filter)
            report.latencies(bench, samples, percents=(50, 95))
            report.emit(
                bench, "bookings_in_month", figures.requested_sessions, "rows", month=f"{REPORT_YEAR}-{BUSY_MONTH:02d}"
            )
            db.session.rollback()


def _after_load() -> None:
    """On PostgreSQL: move the id sequences past the explicit ids, and gather planner statistics
    (as autovacuum would shortly after a bulk load). SQLite is left as the app leaves it."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in (Country, Department, User, InterpreterProfile, Booking, Assignment, CallAttendance, PhoneLeg):
        name = table.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 (our table names)
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
