"""Build the APScheduler instance for the core app and run it until SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from scheduler import jobs
from scheduler.leadership import LEADER_POLL_SECONDS, LeaderLock, leader_lock_for

logger = logging.getLogger("scheduler")


@dataclass(frozen=True)
class Job:
    """A job of the scheduler: what runs, how often, and whether it also runs at start."""

    function: Callable[[], None]
    every_seconds: int
    description: str
    at_start: bool = False


# "What is due" lives in the database as rows; these poll and claim them. The outbox is polled
# every second so a message goes out within about a second of its due time.
JOBS: tuple[Job, ...] = (
    Job(jobs.heartbeat, 30, "heartbeat", at_start=True),
    Job(jobs.dispatch_outbox, jobs.DISPATCH_EVERY_SECONDS, "send due messages"),
    Job(jobs.deliver_webhooks, 1, "deliver due webhooks to case systems"),
    Job(jobs.expire_offers, 15, "expire offers and send the next wave"),
    Job(jobs.expire_rings, 2, "end unanswered on-demand rings and ring the next interpreter"),
    Job(jobs.end_unjoined_calls, 2, "end answered on-demand calls nobody joined in time"),
    Job(jobs.run_requested_sweeps, 10, "check interpreters the portal flagged"),
    Job(jobs.sweep_conflicts, 300, "check every upcoming confirmed job for conflicts"),
    Job(jobs.check_no_shows, 30, "check both sides joined ten minutes in"),
    Job(jobs.advance_sessions, 60, "start sessions at their time and complete those whose call is over"),
    Job(jobs.escalate_on_demand_to_phones, 5, "call on-call interpreters' phones for on-demand requests"),
    Job(jobs.purge_expired, 6 * 3600, "purge records past the retention period", at_start=True),
    Job(jobs.keep_report_months, 3600, "keep the report figures of closed months"),
)
# APScheduler's default grace is 1 s: a job that starts late (busy host, long previous run)
# would be dropped with only a log line. Late by up to five minutes still runs, once.
MISFIRE_GRACE_SECONDS = 300
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}


class StopRequested(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM while it waits (for the lock, or for the jobs to run)."""


# How often the main thread looks whether the scheduler stopped (the lock lost) while jobs run.
STOP_POLL_SECONDS = 0.2


class StopSignals:
    """SIGINT and SIGTERM, recorded always and raised only where the main thread merely waits.

    Raised anywhere else, the exception could land inside APScheduler while it submits a job, which
    catches every exception there and logs it: the stop was lost and the process ran on until killed.
    """

    def __init__(self) -> None:
        self.requested: str | None = None
        self._interruptible = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        self.requested = signal.Signals(signum).name
        if self._interruptible:
            raise StopRequested(self.requested)

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """Within: a signal raises `StopRequested` at once (one that came before raises on entry)."""
        self._interruptible = True
        try:
            if self.requested is not None:
                raise StopRequested(self.requested)
            yield
        finally:
            self._interruptible = False


# app.extensions key of the running scheduler's `_Leadership`; absent for `--check`.
LEADERSHIP_EXTENSION = "rris.scheduler.leadership"


def run_in_app_context(app: Flask, job: Callable[[], None]) -> None:
    """Run `job` inside an app context, so it can use `db.session` like any core code (under `run()`: if leading)."""
    leadership: _Leadership | None = app.extensions.get(LEADERSHIP_EXTENSION)
    if leadership is not None and not leadership.confirm():
        return
    with app.app_context():
        job()


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """A UTC `BackgroundScheduler` with every job registered; not started."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    now = datetime.now(UTC)
    for job in JOBS:
        # An explicit next_run_time=None would add the job paused: pass it only to run at start.
        first_run = {"next_run_time": now} if job.at_start else {}
        scheduler.add_job(
            run_in_app_context,
            "interval",
            seconds=job.every_seconds,
            args=[app, job.function],
            id=job.function.__name__,
            name=job.description,
            **first_run,
        )
    return scheduler


def run(app: Flask) -> int:
    """Wait to lead, then run jobs until SIGINT or SIGTERM; returns the exit code (1 if leadership was lost)."""
    if logger.getEffectiveLevel() > logging.DEBUG:
        # APScheduler logs every run at INFO: two lines per heartbeat would drown real messages.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    lock = leader_lock_for(app.extensions["rris.settings"])
    scheduler: BackgroundScheduler | None = None
    leadership: _Leadership | None = None
    stops = StopSignals()
    previous = {signum: signal.signal(signum, stops.handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with stops.interruptible():
            lock.acquire(LEADER_POLL_SECONDS)
        # Built only once leading: first-run times computed before a long wait would be stale.
        scheduler = build_scheduler(app)
        leadership = _Leadership(lock, scheduler)
        app.extensions[LEADERSHIP_EXTENSION] = leadership
        # Before any job: what a dead predecessor was sending is marked uncertain, never resent.
        run_in_app_context(app, jobs.recover_interrupted_sends)
        if not leadership.lost and stops.requested is None:
            logger.info("scheduler starting")
            scheduler.start()
            with stops.interruptible():
                while scheduler.running:  # until a signal, or a job thread finds the lock lost
                    time.sleep(STOP_POLL_SECONDS)
    except StopRequested:
        pass
    finally:
        if stops.requested is not None:
            logger.info("scheduler stopping")
        # A second signal must not interrupt the shutdown itself.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        if scheduler is not None and scheduler.running:
            # A job thread that found the lock lost may have stopped it in the meantime.
            with suppress(SchedulerNotRunningError):
                scheduler.shutdown(wait=True)
        app.extensions.pop(LEADERSHIP_EXTENSION, None)
        lock.release()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 1 if leadership is not None and leadership.lost else 0


class _Leadership:
    """Lets a job act only while this process leads; on loss, stops the scheduler so `run()` exits non-zero."""

    def __init__(self, lock: LeaderLock, scheduler: BackgroundScheduler) -> None:
        self.lock = lock
        self.scheduler = scheduler
        self.lost = False
        self._mutex = threading.Lock()

    def confirm(self) -> bool:
        """True while the lock is held; otherwise log, stop the scheduler once, and return False."""
        if self.lock.still_held():
            return True
        with self._mutex:
            if not self.lost:
                self.lost = True
                # Another scheduler may be leading already: stop rather than risk two acting, and let
                # the supervisor restart this process (it will then wait for the lock).
                logger.error("scheduler: lost the leader lock; stopping without running more jobs")
                # From a job thread: the main thread sees the scheduler stopped and returns
                # (unless a signal is already stopping it).
                with suppress(SchedulerNotRunningError):
                    self.scheduler.shutdown(wait=False)
        return False
