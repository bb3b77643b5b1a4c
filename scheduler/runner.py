"""Build the APScheduler instance for the core app and run it until SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from scheduler.jobs import expire_offers, heartbeat

logger = logging.getLogger("scheduler")

HEARTBEAT_SECONDS = 30
OFFER_EXPIRY_SECONDS = 30
# APScheduler's default grace is 1 s: a job that starts late (busy host, long previous run)
# would be dropped with only a log line. Late by up to five minutes still runs, once.
MISFIRE_GRACE_SECONDS = 300
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}


class StopRequested(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM to leave `BlockingScheduler.start()`."""


def run_in_app_context(app: Flask, job: Callable[[], None]) -> None:
    """Run `job` inside an app context, so it can use `db.session` like any core code."""
    with app.app_context():
        job()


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A UTC `BlockingScheduler` with every job registered; not started."""
    scheduler = BlockingScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        run_in_app_context,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=[app, heartbeat],
        id="heartbeat",
        name="heartbeat",
        next_run_time=datetime.now(UTC),
    )
    # Polls the offers table: the portal writes deadlines as rows, this claims what is due.
    scheduler.add_job(
        run_in_app_context,
        "interval",
        seconds=OFFER_EXPIRY_SECONDS,
        args=[app, expire_offers],
        id="expire_offers",
        name="expire offers and send the next wave",
    )
    return scheduler


def run(app: Flask) -> None:
    """Run the scheduler in the foreground until SIGINT or SIGTERM, then wait for running jobs."""
    if logger.getEffectiveLevel() > logging.DEBUG:
        # APScheduler logs every run at INFO: two lines per heartbeat would drown real messages.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    scheduler = build_scheduler(app)
    previous = {signum: signal.signal(signum, _raise_stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        logger.info("scheduler starting")
        scheduler.start()
    except StopRequested:
        logger.info("scheduler stopping")
    finally:
        # A second signal must not interrupt the shutdown itself.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        if scheduler.running:
            scheduler.shutdown(wait=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise StopRequested(signal.Signals(signum).name)
