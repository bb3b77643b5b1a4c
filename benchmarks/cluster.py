"""Issue 18's benchmark: one node against two, one gunicorn worker against four, side by side.

On one throwaway PostgreSQL holding a small generated pool (every call room is one of its
bookings, every join written to the call records):

- cluster_signaling: the same number of rooms of two clients on one signalling node, then on
  two nodes sharing Redis with half of the clients bridged to the other node
  (`benchmarks.cluster_signaling`); rooms held, relay latency p50/p99 and memory per connection
  for each, and two nodes' figure over one node's.
- cluster_bookings: confirmed bookings per second through nginx (TLS) with one gunicorn worker,
  then four (`benchmarks.cluster_portal`), each on its own copy of the pool; four over one.

Both share this machine's cores: the ratios show what the topology costs or gains here, where
one machine runs every process, not what more machines would give.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from psycopg import sql
from sqlalchemy import func, select

from benchmarks.call_capacity import KIB, CapacityPlan
from benchmarks.call_rooms import pool_rooms
from benchmarks.cluster_portal import BookingClients, WorkersRun, run_workers
from benchmarks.cluster_signaling import NodesRun, run_nodes
from benchmarks.environment import bench_app, bench_environment, dispose
from benchmarks.pool import DEFAULT_SEED, PoolSize, load_pool
from benchmarks.report import Reporter, percentile
from benchmarks.throughput import CALLS, CLIENTS, prepare_clients
from deploy.local.postgres import USER, ThrowawayPostgres
from deploy.local.redis import LocalRedis
from deploy.local.tls import make_loopback_certificate
from rris.bookings.models.bookings import Booking
from rris.enums import BookingState
from rris.extensions import db

POOL_INTERPRETERS = 50
POOL_DATABASE = "rris_bench"
WORKERS = (1, 4)
NODES = (1, 2)
SIGNALING = "cluster_signaling"
# The figures of each signalling run that are compared, two nodes' over one's, and their units.
HEADLINE = {"rooms_held": "rooms", "relay_p50": "ms", "relay_p99": "ms", "memory_per_connection": "KiB"}


@dataclass(frozen=True)
class ClusterPlan:
    """How many rooms each signalling run opens, and how long the booking clients run per worker count."""

    capacity: CapacityPlan
    booking_seconds: float
    warmup_seconds: float

    @property
    def pool(self) -> PoolSize:
        """A pool with a booking with an interpreter for every room of both runs, and to spare."""
        return PoolSize(POOL_INTERPRETERS, 2 * self.rooms_needed + 100, DEFAULT_SEED)

    @property
    def rooms_needed(self) -> int:
        """The rooms of both signalling runs and their warm-ups (one per node)."""
        return sum(self.capacity.rooms + nodes for nodes in NODES)


FULL_CLUSTER = ClusterPlan(
    CapacityPlan(rooms=500, idle_seconds=3.0, relay_seconds=10), booking_seconds=20.0, warmup_seconds=5.0
)
QUICK_CLUSTER = ClusterPlan(
    CapacityPlan(rooms=4, idle_seconds=0.5, relay_seconds=2), booking_seconds=2.0, warmup_seconds=1.0
)


def run_cluster(reporter: Reporter, plan: ClusterPlan) -> None:
    """Load the pool into a throwaway PostgreSQL, then run the signalling and the booking comparisons."""
    with tempfile.TemporaryDirectory(prefix="rris-bench-cluster-") as name, ThrowawayPostgres(POOL_DATABASE) as server:
        folder = Path(name)
        core = bench_app(folder / "instance", server.url)
        try:
            with core.app_context():
                counts = load_pool(plan.pool)
                rooms = pool_rooms(plan.rooms_needed, "cluster")
            signaling = Reporter(reporter.stream, data={"rooms": plan.capacity.rooms, "clients": plan.capacity.clients})
            headlines = []
            for nodes in NODES:
                own, rooms = rooms[: plan.capacity.rooms + nodes], rooms[plan.capacity.rooms + nodes :]
                (folder / f"nodes-{nodes}").mkdir()
                run = run_nodes(core, folder / f"nodes-{nodes}", own, plan.capacity, nodes)
                headlines.append(report_nodes(signaling, plan.capacity, run))
        finally:
            dispose(core)
        for metric in HEADLINE:
            one, two = (headline[metric] for headline in headlines)
            _ratio(signaling, SIGNALING, metric, one, two, "two nodes over one", **_relay(plan.capacity))
        pool = {**plan.pool.data, "pool_seconds": round(counts.seconds, 1)}
        report_bookings(reporter, pool, plan, _booking_runs(folder, server, plan))


def _booking_runs(folder: Path, server: ThrowawayPostgres, plan: ClusterPlan) -> list[WorkersRun]:
    certificate = make_loopback_certificate(folder / "tls")
    runs = []
    with LocalRedis(folder / "redis-limits") as redis:
        for workers in WORKERS:
            url = copy_database(server, POOL_DATABASE, f"rris_workers_{workers}")
            instance = folder / f"instance-{workers}"
            with _portal_app(instance, url) as app:
                prepared = prepare_clients(app, 2 * CLIENTS)
                dispose(app)
                clients = BookingClients(
                    prepared[:CLIENTS], prepared[CLIENTS:], plan.booking_seconds, plan.warmup_seconds
                )
                environment = {name: value for name, value in os.environ.items() if not name.startswith("RRIS_")}
                environment.update(bench_environment(instance, url))
                environment.update(RRIS_RATE_LIMIT_STORAGE=redis.url, RRIS_TRUSTED_PROXIES="1")
                run = run_workers(folder / f"workers-{workers}", environment, certificate, workers, clients)
                caseworkers = [client.caseworker_id for client in clients.timed]
                run.confirmed_in_database = confirmed_in_database(app, caseworkers)
                runs.append(run)
    return runs


@contextmanager
def _portal_app(instance: Path, url: str) -> Iterator[Flask]:
    app = bench_app(instance, url)
    try:
        yield app
    finally:
        dispose(app)


def copy_database(server: ThrowawayPostgres, source: str, name: str) -> str:
    """A new database `name` copied from `source` (which nobody may be connected to); its URL."""
    with psycopg.connect(host="127.0.0.1", port=server.port, user=USER, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source)))
    return server.url_for(name)


def confirmed_in_database(app: Flask, caseworker_ids: list[int]) -> int:
    """Bookings of these caseworkers that the database holds as confirmed."""
    with app.app_context():
        statement = (
            select(func.count())
            .select_from(Booking)
            .where(Booking.created_by_id.in_(caseworker_ids), Booking.state == BookingState.CONFIRMED)
        )
        count = db.session.scalar(statement) or 0
        db.session.remove()
    return count


def report_nodes(report: Reporter, plan: CapacityPlan, run: NodesRun) -> dict[str, float]:
    """One signalling run's figures, with its node count; returns the headline ones."""
    results, rss = run.results, run.results.rss_kib
    headline = {
        "rooms_held": results.rooms_held,
        "relay_p50": percentile(results.relayed_ms, 50),
        "relay_p99": percentile(results.relayed_ms, 99),
        "memory_per_connection": (rss["idle"] - rss["base"]) / plan.clients,
    }
    extra = {"nodes": run.nodes, **_relay(plan), "messages": results.sent}
    for metric, unit in HEADLINE.items():
        report.emit(SIGNALING, metric, headline[metric], unit, **extra)
    report.emit(SIGNALING, "relay_max", max(results.relayed_ms, default=0.0), "ms", **extra)
    report.emit(SIGNALING, "relay_lost", results.sent - len(results.relayed_ms), "count", **extra)
    report.emit(SIGNALING, "join_all", results.joined_seconds, "s", **extra)
    failures = results.join_failures
    report.emit(SIGNALING, "join_failures", len(failures), "count", **extra, first=failures[:1])
    report.emit(SIGNALING, "rss_idle", rss["idle"] / KIB, "MiB", **extra)
    report.emit(SIGNALING, "server_cpu", results.server_cpu_seconds, "s", **extra)
    report.emit(SIGNALING, "errors_received", len(results.errors), "count", **extra)
    report.emit(SIGNALING, "server_warnings", run.warnings, "lines", **extra)
    for node, rooms in run.hosted.items():
        report.emit(SIGNALING, "rooms_hosted", rooms, "rooms", **extra, node=node)
    if run.redis_rss_kib:
        redis = run.redis_rss_kib
        per_connection = (redis["idle"] - redis["base"]) / plan.clients
        report.emit(SIGNALING, "redis_memory_per_connection", per_connection, "KiB", **extra)
    return headline


def _relay(plan: CapacityPlan) -> dict[str, Any]:
    return {"database": "postgresql", "relay_seconds": plan.relay_seconds, "idle_seconds": plan.idle_seconds}


def report_bookings(reporter: Reporter, pool: dict[str, Any], plan: ClusterPlan, runs: list[WorkersRun]) -> None:
    """Each worker count's confirmed bookings per second through nginx, then four workers' over one's."""
    report = Reporter(reporter.stream, data={**pool, "clients": CLIENTS})
    bench = "cluster_bookings"
    common = {
        "database": "postgresql",
        "proxy": "nginx+tls",
        "seconds": plan.booking_seconds,
        "warmup_seconds": plan.warmup_seconds,
    }
    for run in runs:
        extra = {"workers": run.workers, **common}
        tally = run.tally
        report.emit(bench, "confirmed_per_second", run.confirmed_per_second, "bookings/s", **extra)
        report.emit(bench, "confirmed", tally.confirmed, "bookings", **extra)
        report.emit(bench, "confirmed_in_database", run.confirmed_in_database, "bookings", **extra)
        for name in CALLS:
            samples = tally.latencies.get(name, [])
            report.emit(bench, f"{name}_p95", percentile(samples, 95), "ms", **extra, samples=len(samples))
        unexpected = sum(
            count
            for name in CALLS
            for status, count in tally.statuses.get(name, {}).items()
            if not 200 <= status < 300 and status != 409
        )
        report.emit(bench, "unexpected_responses", unexpected, "responses", **extra)
        report.emit(bench, "client_errors", len(tally.client_errors), "errors", **extra, first=tally.client_errors[:1])
    one, four = (run.confirmed_per_second for run in runs)
    _ratio(report, bench, "confirmed_per_second", one, four, "four workers over one", **common)


def _ratio(report: Reporter, bench: str, metric: str, base: float, other: float, of: str, **extra: Any) -> None:
    """`other` over `base`, both printed beside it (0 when the base is 0)."""
    value = other / base if base else 0.0
    report.emit(bench, f"{metric}_ratio", value, "ratio", of=of, base=round(base, 3), other=round(other, 3), **extra)
