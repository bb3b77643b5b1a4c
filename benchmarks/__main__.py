"""Run every benchmark: `python -m benchmarks [--quick] [--backends ...] [--only PART]`.

For each backend (SQLite and PostgreSQL): generate the pool into a fresh database (a temporary
SQLite file, or a throwaway PostgreSQL cluster on 127.0.0.1), time candidate search, assessment
and suggestions, then drive the HTTP API with concurrent clients, then dispatch an outbox of
reminders on the real clock, then a stream of on-demand calls on the same pool
(`benchmarks/ondemand.py`), then a walk of every page as every role (`benchmarks/pages.py`;
`--quick` leaves it out unless `--only pages` asks for it). `--only ondemand`, `--only pages`,
`--only throughput`, `--only outbox` and `--only matching` (candidate search beside its floor,
assessment and suggestions: `benchmarks/matching.py`) load the pool and run just that part. Then, for each
backend again in a database of its own, a year of bookings (1,000,000; 20,000 with --quick) and
the monthly report on it (`benchmarks/reports.py`). After that, once and on SQLite, the call
service's benchmarks (`benchmarks/calls.py`). Last, once and on PostgreSQL, the several-nodes topology's
(`benchmarks/cluster.py`, `--only cluster`): one signalling node against two, one gunicorn worker
against four behind nginx; `--quick` leaves it out unless `--only cluster` asks for it (it starts
PostgreSQL, Redis, nginx and a dozen server processes: a minute, where the rest of the quick run is
the suite's smoke test). Only JSON lines go to stdout; logs go to stderr.

The pool is generated afresh on every run, never cached: it loads in well under a minute on
SQLite, and a cached file would silently outlive a migration or a change to the generator.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter

from benchmarks.calls import FULL_CALLS, QUICK_CALLS, run_calls
from benchmarks.cluster import FULL_CLUSTER, QUICK_CLUSTER, run_cluster
from benchmarks.environment import bench_app, dispose
from benchmarks.matching import FULL_PLAN, QUICK_PLAN, MatchingPlan, run_matching
from benchmarks.ondemand import FULL_ONDEMAND, QUICK_ONDEMAND, OnDemandPlan, run_ondemand
from benchmarks.outbox import FULL_OUTBOX, QUICK_OUTBOX, OutboxPlan, run_outbox
from benchmarks.pages import FULL_PAGES, QUICK_PAGES, PagesPlan, run_pages
from benchmarks.pool import DEFAULT_SEED, FULL_POOL, QUICK_POOL, PoolSize, load_pool
from benchmarks.rate_limits import run_rate_limits
from benchmarks.report import Reporter
from benchmarks.report_data import FULL_REPORTS, QUICK_REPORTS, ReportSize
from benchmarks.report_exports import run_report_exports
from benchmarks.reports import run_reports
from benchmarks.throughput import CLIENTS, run_throughput
from benchmarks.throughput_deployed import run_deployed
from deploy.local.nginx import NginxUnavailable
from deploy.local.redis import RedisUnavailable
from tests.support.postgres import PostgresUnavailable, ThrowawayPostgres

BACKENDS = ("sqlite", "postgresql")
# The per-backend benchmarks, the monthly report on each backend, the call service's (once, on SQLite), the cluster's.
PARTS = ("backends", "reports", "calls", "cluster")
NOT_QUICK = ("cluster",)  # parts a --quick run leaves out unless --only names them
ONDEMAND_ONLY = "ondemand"
PAGES_ONLY = "pages"  # the walk of every page as every role
THROUGHPUT_ONLY = "throughput"  # the HTTP clients and their floor
OUTBOX_ONLY = "outbox"  # the reminders' dispatch and smtplib's floor
MATCHING_ONLY = "matching"  # candidate search, assessment and suggestions
# Parts of "backends", each of which --only runs on its own.
BACKEND_PARTS = (ONDEMAND_ONLY, PAGES_ONLY, THROUGHPUT_ONLY, OUTBOX_ONLY, MATCHING_ONLY)
FULL_SECONDS = 20.0
QUICK_SECONDS = 3.0


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database of `backend`; yields its SQLAlchemy URL."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'pool.sqlite3'}"
        return
    with ThrowawayPostgres(database="rris_bench") as server:
        yield server.url


def run_backend(  # noqa: PLR0913 (each part's plan)
    backend: str,
    reporter: Reporter,
    size: PoolSize,
    plan: MatchingPlan,
    seconds: float,
    outbox: OutboxPlan,
    ondemand: OnDemandPlan,
    pages: PagesPlan | None = FULL_PAGES,
    only: str | None = None,
) -> None:
    """Load the pool into `backend` and run every benchmark on it, or `only` one of BACKEND_PARTS."""
    report = reporter.for_backend(backend, size.data)
    with tempfile.TemporaryDirectory(prefix=f"rris-bench-{backend}-") as folder, database(backend, Path(folder)) as url:
        app = bench_app(Path(folder) / "instance", url)
        try:
            with app.app_context():
                counts = load_pool(size)
            report.emit("pool_load", "seconds", counts.seconds, "s")
            report.emit("pool_load", "interpreters", counts.interpreters, "rows")
            report.emit("pool_load", "bookings", counts.bookings, "rows")
            report.emit("pool_load", "assignments", counts.assignments, "rows")
            report.emit("pool_load", "language_pairs", counts.language_pairs, "rows")
            report.emit("pool_load", "accreditations", counts.accreditations, "rows")
            report.emit("pool_load", "time_off", counts.time_off, "rows")
            if only in (None, MATCHING_ONLY):
                run_matching(app, report, plan, size.seed)
            if only in (None, THROUGHPUT_ONLY):
                run_throughput(app, report, seconds, CLIENTS)
                run_deployed(app, report, url, seconds, warmup_seconds=max(1.0, seconds / 4))
            if only is None:
                run_rate_limits(app, report)
            if only in (None, OUTBOX_ONLY):
                run_outbox(app, report, outbox)
            if only in (None, ONDEMAND_ONLY):
                run_ondemand(app, report, ondemand, size.seed)
            if pages is not None and only in (None, PAGES_ONLY):
                run_pages(app, report, pages)  # last: it walks the records the others left behind
        finally:
            dispose(app)


def run_report_backend(backend: str, reporter: Reporter, size: ReportSize) -> None:
    """Generate a year of bookings into a fresh database of `backend` and time the monthly report."""
    report = reporter.for_backend(backend, size.data)
    with (
        tempfile.TemporaryDirectory(prefix=f"rris-bench-reports-{backend}-") as folder,
        database(backend, Path(folder)) as url,
    ):
        app = bench_app(Path(folder) / "instance", url)
        try:
            run_reports(app, report, size)
            run_report_exports(app, report, *((1, 1) if size.bookings < FULL_REPORTS.bookings else ()))
        finally:
            dispose(app)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmarks, print JSON lines; 0 when every backend ran."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small pool and short runs (the smoke test)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated: sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated pool and requests")
    parser.add_argument("--seconds", type=float, help="how long the HTTP clients run, per backend")
    parser.add_argument(
        "--only",
        choices=(*PARTS, *BACKEND_PARTS),
        help="run only the per-backend benchmarks, the on-demand ones, the page walk, the booking throughput,"
        " the outbox's, candidate search's, the monthly report's, the call service's or the cluster's",
    )
    args = parser.parse_args(argv)
    parts = [args.only] if args.only else [part for part in PARTS if not (args.quick and part in NOT_QUICK)]
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    base = QUICK_POOL if args.quick else FULL_POOL
    size = PoolSize(base.interpreters, base.bookings, args.seed)
    plan = QUICK_PLAN if args.quick else FULL_PLAN
    seconds = args.seconds or (QUICK_SECONDS if args.quick else FULL_SECONDS)
    outbox = QUICK_OUTBOX if args.quick else FULL_OUTBOX
    ondemand = QUICK_ONDEMAND if args.quick else FULL_ONDEMAND
    base_reports = QUICK_REPORTS if args.quick else FULL_REPORTS
    report_size = ReportSize(base_reports.bookings, base_reports.interpreters, args.seed)

    reporter = Reporter(stream=sys.stdout)
    sys.stdout = sys.stderr  # anything else that prints goes to stderr; stdout carries JSON lines only
    started = perf_counter()
    failures = 0
    try:
        on_the_pool = {"backends", *BACKEND_PARTS} & set(parts)
        for backend in backends if on_the_pool else []:
            try:
                run_backend(
                    backend,
                    reporter,
                    size,
                    plan,
                    seconds,
                    outbox,
                    ondemand,
                    # --quick leaves the walk out unless asked for: at any size it requests every
                    # page, the reports' too, and the smoke test's few minutes cannot hold it.
                    pages=FULL_PAGES if not args.quick else QUICK_PAGES if PAGES_ONLY in parts else None,
                    only=args.only if args.only in BACKEND_PARTS else None,
                )
            except PostgresUnavailable as error:
                failures += 1
                reporter.for_backend(backend, size.data).emit("backend", "skipped", 1, "flag", reason=str(error)[:200])
        for backend in backends if "reports" in parts else []:
            try:
                run_report_backend(backend, reporter, report_size)
            except PostgresUnavailable as error:
                failures += 1
                reporter.for_backend(backend, report_size.data).emit(
                    "backend", "skipped", 1, "flag", reason=str(error)[:200]
                )
        if "calls" in parts:
            run_calls(reporter, QUICK_CALLS if args.quick else FULL_CALLS)
        if "cluster" in parts:
            try:
                run_cluster(reporter, QUICK_CLUSTER if args.quick else FULL_CLUSTER)
            except (PostgresUnavailable, RedisUnavailable, NginxUnavailable) as error:
                failures += 1
                reporter.emit("cluster", "skipped", 1, "flag", reason=str(error)[:200])
    finally:
        sys.stdout = reporter.stream
    reporter.emit(
        "benchmarks",
        "wall_time",
        perf_counter() - started,
        "s",
        backends=backends if {"backends", "reports", *BACKEND_PARTS} & set(parts) else [],
        parts=parts,
        quick=args.quick,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
