"""Confirmed bookings per second with the portal run as it is deployed, beside the one-process figure.

`benchmarks.throughput` serves the portal from one process (werkzeug's threads) and times the
clients in that same process: its figure is one worker's. Production runs gunicorn with
`deploy/gunicorn.conf.py`: gthread workers of 4 threads, two per core unless WEB_CONCURRENCY
says otherwise. Here the same clients book against gunicorn with that configuration on
127.0.0.1 (plain HTTP, no nginx: `benchmarks.cluster_portal` measures the whole stack), on the same
database, with as many workers as the machine has cores; each line says `portal` and `workers`.
The clients stay in this process, so they share the cores with the workers, as does the database.

`cpu_ms_per_confirmed` here is the workers' CPU time (from /proc) per confirmed booking: the
portal's own cost, without the clients'. Other clients warm every worker up first (each worker's
first requests pay for its imports and caches) on their own cases, so the timed ones book as before.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from benchmarks.environment import bench_environment
from benchmarks.report import Reporter, percentile
from benchmarks.throughput import CALLS, CLIENTS, Tally, call, drive, prepare_clients
from deploy.cluster import GUNICORN_CONFIG, Process
from deploy.local.ports import free_port, poll_until

APP = "benchmarks.cluster_wsgi:app"  # the production app on the benchmarks' frozen clock
READY_TIMEOUT_SECONDS = 90.0
THREADS_PER_WORKER = 4  # deploy/gunicorn.conf.py's `threads`
PORTAL = "gunicorn gthread, deploy/gunicorn.conf.py"


def deployed_workers() -> int:
    """One worker per core: the CPU-bound share of a booking cannot use more on this machine."""
    return os.cpu_count() or 1


@contextmanager
def gunicorn_portal(app: Flask, database_url: str, workers: int) -> Iterator[tuple[int, int]]:
    """gunicorn serving the portal on `database_url` with `workers` workers; yields (port, master pid)."""
    instance = Path(app.instance_path)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), APP]
    portal = Process(f"bench-portal-{workers}", command, instance / f"gunicorn-{workers}.log")
    environment = {**os.environ, **bench_environment(instance, database_url)}
    portal.start({**environment, "RRIS_HOST": "127.0.0.1", "RRIS_PORT": str(port), "WEB_CONCURRENCY": str(workers)})
    try:
        answers = poll_until(
            lambda: not portal.alive() or call(port, "GET", "/healthz", "")[0] == 200, READY_TIMEOUT_SECONDS, 0.2
        )
        if not answers or not portal.alive():
            raise RuntimeError(f"gunicorn did not answer: {portal.log_text()[-2000:]}")
        yield port, portal.pid
    finally:
        portal.stop()


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user and system) spent so far by the master's child processes, its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "
        if int(fields[1]) == master_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_deployed(app: Flask, report: Reporter, database_url: str, seconds: float, warmup_seconds: float) -> None:
    """Drive CLIENTS clients against gunicorn with one worker per core; print its lines beside the one-process ones."""
    warmup = prepare_clients(app, CLIENTS, first=CLIENTS)
    timed = prepare_clients(app, CLIENTS, first=2 * CLIENTS)
    workers = deployed_workers()
    with gunicorn_portal(app, database_url, workers) as (port, master_pid):
        drive(port, warmup, warmup_seconds)
        cpu_started = workers_cpu_seconds(master_pid)
        tally, elapsed = drive(port, timed, seconds)
        cpu = workers_cpu_seconds(master_pid) - cpu_started
    _report_deployed(report, tally, elapsed, cpu, workers)


def _report_deployed(report: Reporter, tally: Tally, elapsed: float, cpu: float, workers: int) -> None:
    extra = {"portal": PORTAL, "workers": workers, "threads": THREADS_PER_WORKER, "clients": CLIENTS}
    rate = tally.confirmed / elapsed if elapsed else 0.0
    report.emit("throughput_deployed", "confirmed_per_second", rate, "bookings/s", **extra)
    report.emit("throughput_deployed", "confirmed", tally.confirmed, "bookings", **extra)
    cpu_ms = 1000 * cpu / tally.confirmed if tally.confirmed else 0.0
    report.emit("throughput_deployed", "cpu_ms_per_confirmed", cpu_ms, "ms", **extra)
    for name in CALLS:
        samples = tally.latencies.get(name, [])
        for percent in (50, 95):
            value = percentile(samples, percent) if samples else 0.0
            report.emit(f"deployed_http_{name}", f"p{percent}", value, "ms", **extra)
    unexpected = sum(
        count
        for name in CALLS
        for status, count in tally.statuses.get(name, Counter()).items()
        if not 200 <= status < 300 and status != 409
    )
    report.emit("throughput_deployed", "unexpected_responses", unexpected, "responses", **extra)
    report.emit(
        "throughput_deployed", "client_errors", len(tally.client_errors), "errors", first=tally.client_errors[:1]
    )
