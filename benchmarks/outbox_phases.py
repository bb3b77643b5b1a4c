"""The outbox benchmark's phases on the real clock: the dispatcher polled as the scheduler runs it,
bursts falling due while it runs (lateness), and a backlog let loose at once (the drain rate)."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from time import perf_counter

from flask import Flask
from sqlalchemy import func, select, update

from benchmarks.outbox_load import Loaded, OutboxPlan, insert_sessions
from rris.app import create_app
from rris.enums import NotificationState as State
from rris.extensions import db
from rris.notifications.models.notifications import Notification
from rris.notifications.services import outbox
from rris.timeutil import SystemClock
from scheduler.jobs import dispatch_outbox, dispatch_run
from scheduler.runner import JOBS

POLL_SECONDS = next(job.every_seconds for job in JOBS if job.function is dispatch_outbox)
OUTAGE = timedelta(minutes=10)  # how overdue a backlog is when it is let loose
PHASE_LIMIT_SECONDS = 300.0  # a phase stops polling after this long, drained or not


def dispatcher_app(app: Flask, smtp_port: int) -> Flask:
    """The core app as the scheduler builds it (real clock) on `app`'s database, with RRIS_SMTP_HOST/PORT set."""
    settings = app.extensions["rris.settings"].replace(smtp_host="127.0.0.1", smtp_port=smtp_port)
    return create_app(settings, clock=SystemClock())


def poll(app: Flask, finished: Callable[[outbox.DispatchReport, datetime], bool]) -> None:
    """Run the dispatcher as the scheduler does, one run a tick, until `finished(last run, now)` is true."""
    clock = SystemClock()
    started = perf_counter()
    tick = 0
    while True:
        pause = started + tick * POLL_SECONDS - perf_counter()
        if pause > 0:
            time.sleep(pause)
        with app.app_context():
            report = dispatch_run(clock)
        elapsed = perf_counter() - started
        if finished(report, clock.now()) or elapsed > PHASE_LIMIT_SECONDS:
            return
        # One run at a time (max_instances=1): a tick that comes while a run goes on is skipped.
        tick = max(tick + 1, math.ceil(elapsed / POLL_SECONDS))


def _outcomes(booking_ids: list[int], due_until: datetime | None = None) -> list[tuple[State, datetime, datetime]]:
    """(state, due_at, finished_at) of the reminders of `booking_ids`, due by `due_until` if given."""
    statement = select(Notification.state, Notification.due_at, Notification.finished_at).where(
        Notification.booking_id.in_(booking_ids)
    )
    if due_until is not None:
        statement = statement.where(Notification.due_at <= due_until)
    return [(state, due, finished) for state, due, finished in db.session.execute(statement)]


def run_bursts(app: Flask, loaded: Loaded, plan: OutboxPlan) -> tuple[list[float], int, list[float]]:
    """Queue the bursts on the real clock and poll until they are out; (lateness in seconds, not
    sent, and per burst how late its first message went: when the dispatcher started on it, the
    rest of a burst's lateness being queueing behind its own messages)."""
    with app.app_context():
        start = SystemClock().now()
        for session in loaded.bursts:
            session.starts_at += start - loaded.origin
        booking_ids = insert_sessions(loaded.bursts, loaded, random.Random(plan.seed + 1), start)
        db.session.commit()
    last_due = start + timedelta(seconds=max(plan.burst_offsets_seconds, default=0.0))
    settled = last_due + timedelta(seconds=POLL_SECONDS)
    poll(app, lambda report, now: now > settled and report.handled == 0)
    with app.app_context():
        outcomes = _outcomes(booking_ids, last_due)
    sent = [(due, (finished - due).total_seconds()) for state, due, finished in outcomes if state is State.SENT]
    first: dict[datetime, float] = {}
    for due, late in sent:
        first[due] = min(first.get(due, late), late)
    return [late for _due, late in sent], len(outcomes) - len(sent), list(first.values())


def run_backlog(app: Flask, booking_ids: list[int]) -> tuple[int, float]:
    """Make these bookings' reminders overdue at once and poll until none is due; (sent, seconds)."""
    clock = SystemClock()
    with app.app_context():
        db.session.execute(
            update(Notification.__table__)
            .where(Notification.booking_id.in_(booking_ids), Notification.state == State.PENDING)
            .values(due_at=clock.now() - OUTAGE)
        )
        db.session.commit()
    started = clock.now()
    poll(app, lambda report, _now: report.handled == 0)
    with app.app_context():
        sent = [finished for state, _due, finished in _outcomes(booking_ids) if state is State.SENT]
    return len(sent), (max(sent) - started).total_seconds() if sent else 0.0


def sent_in_database(app: Flask) -> int:
    """Messages sent so far, in the whole table."""
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Notification.state == State.SENT)) or 0
