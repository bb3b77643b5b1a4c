"""The outbox under load: 100,000 pending reminders, bursts that fall due on the real clock, a backlog.

The pool's database gets caseworkers and interpreters of its own, confirmed bookings over the
coming days and 100,000 pending email reminders (24 h, 1 h, "join now"), written with Core bulk
inserts. Then, on the real clock, with the real SmtpMailer sending to an SMTP server on 127.0.0.1:

- lateness: a few bursts fall due, several hundred reminders at the same second as when sessions
  start on the hour, while the dispatcher runs as the scheduler runs it (`scheduler.jobs.dispatch_run`:
  the scheduler's budget, waiting for what falls due before the next run, once per poll interval,
  in a fresh app context each time). A message's lateness is its `finished_at` minus its `due_at`,
  read back from the table.
- drain: a backlog falls due at once, as after an outage; messages per second until it is sent.
- memory: a smaller backlog drained under tracemalloc; its peak is what the dispatch allocated
  (tracing slows Python down, so the other phases run untraced).
- floor: the messages the drain sent, their very bytes, sent again by smtplib alone over one
  connection to the same server (nothing to read, check, word or record): the rate the dispatcher
  is printed against, with its ratio.

The SMTP server (aiosmtpd) counts messages per (recipients, subject, booking code): a message
delivered twice is a duplicate and fails the run. It runs in a thread of this process and shares
the interpreter lock with the dispatcher, so the figures include its work, which a real relay
would take off the host. Reminders queued by earlier benchmarks are due at the frozen clock's
time, long past on the real one: they are marked skipped first, so only these rows are dispatched.
"""

from __future__ import annotations

import email
import email.policy
import heapq
import math
import random
import re
import smtplib
import socket
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import Table, func, insert, select, update

from benchmarks.catalogue import APPLICANT_LANGUAGES, OFFICER_LANGUAGES, SESSION_MINUTES, SESSION_WEIGHTS, ZONES
from benchmarks.environment import dispose
from benchmarks.people import Row, user_row, weighted
from benchmarks.pool import BATCH_ROWS, DEFAULT_SEED
from benchmarks.report import Reporter, percentile
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.models.accounts import User
from rris.app import create_app
from rris.bookings.models.bookings import Assignment, Booking
from rris.enums import BookingState, Channel, Gender, Modality, NotificationKind, Role, SessionKind
from rris.enums import NotificationState as State
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from rris.notifications.domain.notices import REMINDER_LEADS, reminder_timing
from rris.notifications.integrations.mail import SMTP_TIMEOUT_SECONDS
from rris.notifications.models.notifications import Notification
from rris.notifications.services import outbox
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import SystemClock
from scheduler.jobs import dispatch_outbox, dispatch_run
from scheduler.runner import JOBS

K = NotificationKind
POLL_SECONDS = next(job.every_seconds for job in JOBS if job.function is dispatch_outbox)
RECIPIENTS = 2  # each booking reminds its caseworker and its interpreter
REST_GAP_MINUTES = 15  # the interpreters' rest gap around each session
FUTURE_FIRST_DAY = 2  # later sessions start from the day after tomorrow: none of theirs falls due here
FUTURE_DAYS = 7
FUTURE_QUARTERS_UTC = (6 * 4, 16 * 4)  # ... between 06:00 and 16:00 UTC, on the quarter hour
OUTAGE = timedelta(minutes=10)  # how overdue a backlog is when it is let loose
PHASE_LIMIT_SECONDS = 300.0  # a phase stops polling after this long, drained or not
MEGABYTE = 1_000_000
FLOOR_SECONDS = 1.0  # the floor's replay goes on at least this long


@dataclass(frozen=True)
class OutboxPlan:
    """How many reminders, and which of them fall due while the dispatcher runs."""

    notifications: int  # pending reminders in the table once the bursts are queued
    burst_rows: int  # reminders falling due at the same second, per burst
    burst_offsets_seconds: tuple[float, ...]  # when each burst falls due, after the dispatcher starts
    backlog_rows: int  # overdue at once, as after an outage: the drain rate
    traced_rows: int  # drained under tracemalloc: the peak memory
    caseworkers: int
    interpreters: int  # at least; more are added when sessions at one time need them
    seed: int = DEFAULT_SEED


FULL_OUTBOX = OutboxPlan(100_000, 500, (2.4, 14.4, 26.4, 38.4), 4_000, 500, caseworkers=210, interpreters=1_500)
QUICK_OUTBOX = OutboxPlan(500, 40, (1.4,), 60, 30, caseworkers=14, interpreters=40)


@dataclass
class _Session:
    """A confirmed booking to create, the reminders it has pending, and who takes part."""

    starts_at: datetime
    minutes: int
    kinds: tuple[NotificationKind, ...]
    group: str  # "burst", "backlog", "traced" or "future"
    caseworker: int = 0  # indexes into the outbox's own people
    interpreter: int = 0


@dataclass
class _Loaded:
    """What the load leaves for the phases: people's ids, booking ids per group, bursts to queue."""

    caseworkers: list[tuple[int, int, int]]  # (user id, department id, country id)
    interpreters: list[tuple[int, int]]  # (user id, interpreter profile id)
    origin: datetime  # the burst sessions' times are relative to this instant
    bursts: list[_Session]
    groups: dict[str, list[int]] = field(default_factory=dict)
    bookings: int = 0
    notifications: int = 0
    stale: int = 0
    numbered: int = 0  # bookings inserted so far: the next code


def _plan_sessions(plan: OutboxPlan, rng: random.Random, now: datetime) -> list[_Session]:
    """Every session with its pending reminders, two rows (caseworker, interpreter) a kind."""
    sessions: list[_Session] = []
    for number, offset in enumerate(plan.burst_offsets_seconds):
        # On the hour: the 1 h reminders of sessions in an hour, the 24 h ones of tomorrow's;
        # ten minutes before it: the "join now" of sessions starting then.
        kinds = (K.REMINDER_1H, K.REMINDER_24H) if number % 2 == 0 else (K.JOIN_NOW,)
        for index in range(plan.burst_rows // RECIPIENTS):
            lead = REMINDER_LEADS[kinds[index % len(kinds)]]
            later = tuple(kind for kind, other in REMINDER_LEADS.items() if other <= lead)
            sessions.append(_Session(now + timedelta(seconds=offset) + lead, 60, later, "burst"))
    every_kind = tuple(REMINDER_LEADS)
    burst_rows = sum(len(session.kinds) * RECIPIENTS for session in sessions)
    first_day = datetime.combine((now + timedelta(days=FUTURE_FIRST_DAY)).date(), datetime.min.time(), now.tzinfo)
    rest = plan.notifications - burst_rows - plan.backlog_rows - plan.traced_rows
    for group, rows in (("backlog", plan.backlog_rows), ("traced", plan.traced_rows), ("future", rest)):
        while rows >= RECIPIENTS:  # the last session of a group may have fewer kinds
            kinds = every_kind[: min(rows // RECIPIENTS, len(every_kind))]
            rows -= len(kinds) * RECIPIENTS
            day, quarter = rng.randrange(FUTURE_DAYS), rng.randrange(*FUTURE_QUARTERS_UTC)
            minutes = rng.choices(SESSION_MINUTES, weights=SESSION_WEIGHTS)[0]
            sessions.append(_Session(first_day + timedelta(days=day, minutes=15 * quarter), minutes, kinds, group))
    # Each session gets the interpreter free the longest, or a new one when nobody is free.
    free = [(datetime.min.replace(tzinfo=now.tzinfo), n) for n in range(plan.interpreters)]
    for session in sorted(sessions, key=lambda item: item.starts_at):
        ends_at = session.starts_at + timedelta(minutes=session.minutes)
        busy = busy_interval(Interval(session.starts_at, ends_at), REST_GAP_MINUTES)
        if free[0][0] <= busy.start:  # busy spans are half-open, [from, until)
            session.interpreter = heapq.heapreplace(free, (busy.end, free[0][1]))[1]
        else:
            session.interpreter = len(free)
            heapq.heappush(free, (busy.end, session.interpreter))
        session.caseworker = rng.randrange(plan.caseworkers)
    return sessions


def load_outbox(plan: OutboxPlan) -> _Loaded:
    """Add the outbox's people and bookings with their pending reminders to the current database (bursts come later)."""
    rng = random.Random(plan.seed)
    now = SystemClock().now()
    sessions = _plan_sessions(plan, rng, now)
    bursts = [session for session in sessions if session.group == "burst"]
    loaded = _insert_people(plan, rng, 1 + max(s.interpreter for s in sessions), now, bursts)
    loaded.stale = _skip_stale(now)
    for group in ("backlog", "traced", "future"):
        loaded.groups[group] = _insert_sessions([s for s in sessions if s.group == group], loaded, rng, now)
    db.session.commit()
    loaded.bookings = len(sessions)
    loaded.notifications = sum(len(session.kinds) * RECIPIENTS for session in sessions)
    if db.engine.dialect.name == "postgresql":  # what autovacuum would soon do, as after the pool's load
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "ANALYZE users, interpreter_profiles, bookings, assignments, notifications"
            )
    return loaded


def _skip_stale(now: datetime) -> int:
    """Reminders the earlier benchmarks queued at the frozen clock's time are skipped, not dispatched here."""
    result = db.session.execute(
        update(Notification.__table__)
        .where(Notification.state == State.PENDING, Notification.due_at <= now)
        .values(state=State.SKIPPED, finished_at=now, outcome="benchmark: queued at the frozen clock's time")
    )
    return result.rowcount


def _insert_people(
    plan: OutboxPlan, rng: random.Random, interpreters: int, now: datetime, bursts: list[_Session]
) -> _Loaded:
    password_hash = hash_password(f"bench-outbox-{rng.random()}")
    offices = db.session.execute(
        select(Department.id, Department.country_id, Country.code).join(Country).order_by(Department.id)
    ).all()
    desks = [offices[n % len(offices)] for n in range(plan.caseworkers)]
    caseworkers = [
        user_row(0, f"outbox.caseworker{n:04d}@{code.lower()}.bench.rris.example", f"Outbox caseworker {n:04d}",
                 Role.CASEWORKER, password_hash, department_id=department_id)
        for n, (department_id, _country_id, code) in enumerate(desks)
    ]  # fmt: skip
    zones = [weighted(rng, ZONES) for _ in range(interpreters)]
    users = [
        user_row(0, f"outbox.interpreter{n:05d}@pool.bench.rris.example", f"Outbox interpreter {n:05d}",
                 Role.INTERPRETER, password_hash, timezone=zone)
        for n, zone in enumerate(zones)
    ]  # fmt: skip
    caseworker_ids = _insert_ids(User.__table__, caseworkers)
    user_ids = _insert_ids(User.__table__, users)
    profile = {"daily_cap_minutes": 480, "rest_gap_minutes": REST_GAP_MINUTES, "hourly_rate": Decimal("40.00"),
               "rate_currency": "EUR", "created_at": now - timedelta(days=400)}  # fmt: skip
    profiles = [
        {**profile, "user_id": user_id, "gender": rng.choice((Gender.FEMALE, Gender.MALE)), "timezone": zone}
        for user_id, zone in zip(user_ids, zones, strict=True)
    ]
    profile_ids = _insert_ids(InterpreterProfile.__table__, profiles)
    return _Loaded(
        caseworkers=[(user_id, desk[0], desk[1]) for user_id, desk in zip(caseworker_ids, desks, strict=True)],
        interpreters=list(zip(user_ids, profile_ids, strict=True)),
        origin=now,
        bursts=bursts,
    )


def _insert_sessions(sessions: list[_Session], loaded: _Loaded, rng: random.Random, now: datetime) -> list[int]:
    """Bookings with their assignment and pending reminders; returns the booking ids."""
    bookings = []
    for session in sessions:
        caseworker_id, department_id, country_id = loaded.caseworkers[session.caseworker]
        number = loaded.numbered = loaded.numbered + 1
        confirmed = min(now, session.starts_at - timedelta(days=2)) - timedelta(minutes=rng.randint(0, 600))
        bookings.append(
            {
                "code": f"OB{number:08d}",
                "department_id": department_id,
                "country_id": country_id,
                "created_by_id": caseworker_id,
                "applicant_language": weighted(rng, APPLICANT_LANGUAGES),
                "officer_language": weighted(rng, OFFICER_LANGUAGES),
                "session_kind": rng.choice(tuple(SessionKind)),
                "modality": Modality.VIDEO,
                "starts_at": session.starts_at,
                "ends_at": session.starts_at + timedelta(minutes=session.minutes),
                "case_reference": f"OUTBOX-{number:08d}",
                "state": BookingState.CONFIRMED,
                "version": 1,
                "offer_wave": 1,
                "calendar_sequence": 1,
                "created_at": confirmed - timedelta(hours=2),
                "updated_at": confirmed,
                "confirmed_at": confirmed,
            }
        )
    booking_ids = _insert_ids(Booking.__table__, bookings)
    assignments, reminders = [], []
    for session, booking_id, booking in zip(sessions, booking_ids, bookings, strict=True):
        interpreter_user_id, interpreter_id = loaded.interpreters[session.interpreter]
        starts, ends, confirmed = booking["starts_at"], booking["ends_at"], booking["confirmed_at"]
        busy = busy_interval(Interval(starts, ends), REST_GAP_MINUTES)
        assignments.append(
            {"booking_id": booking_id, "leg": 1, "interpreter_id": interpreter_id, "busy_from": busy.start,
             "busy_until": busy.end, "assigned_at": confirmed}
        )  # fmt: skip
        for kind in session.kinds:
            timing = reminder_timing(kind, starts, ends)
            reminders += [
                {"booking_id": booking_id, "kind": kind, "channel": Channel.EMAIL, "recipient_id": recipient_id,
                 "version": 1, "state": State.PENDING, "created_at": confirmed, "due_at": timing.due_at,
                 "useful_until": timing.useful_until, "attempts": 0}
                for recipient_id in (booking["created_by_id"], interpreter_user_id)
            ]  # fmt: skip
    for table, rows in ((Assignment.__table__, assignments), (Notification.__table__, reminders)):
        for start in range(0, len(rows), BATCH_ROWS):
            db.session.execute(insert(table), rows[start : start + BATCH_ROWS])
    return booking_ids


def _insert_ids(table: Table, rows: list[Row]) -> list[int]:
    """Insert `rows`, their ids left to the database; returns the new ids in the rows' order."""
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = [{key: value for key, value in row.items() if key != "id"} for row in rows[start : start + BATCH_ROWS]]
        ids += db.session.execute(statement, chunk).scalars().all()
    return ids


class _CountingHandler:
    """An aiosmtpd handler that counts messages by (recipients, subject, booking code), keeping nothing else."""

    _SUBJECT = re.compile(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", re.MULTILINE)
    _BOOKING = re.compile(r"^Booking: (\S+)", re.MULTILINE)

    def __init__(self) -> None:
        self._counts: Counter[tuple[Any, ...]] = Counter()
        self._replayed: Counter[tuple[Any, ...]] = Counter()
        self._lock = threading.Lock()
        self.kept: list[tuple[str, list[str], bytes]] | None = None  # (from, to, bytes) while keeping
        self.replaying = False  # the floor's replay: read as any message is, counted apart, not kept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        content: bytes = envelope.content
        if self.kept is not None and not self.replaying:
            self.kept.append((envelope.mail_from, list(envelope.rcpt_tos), content))
        subject = self._SUBJECT.search(content)
        booking = self._BOOKING.search(content.decode("utf-8", "replace"))
        if booking is None:  # a body in base64 or quoted-printable: the slow way
            body = email.message_from_bytes(content, policy=email.policy.default).get_body(("plain",))
            booking = self._BOOKING.search(body.get_content() if body else "")  # type: ignore[attr-defined]
        key = (tuple(envelope.rcpt_tos), subject.group(1).rstrip() if subject else None, booking and booking[1])
        with self._lock:
            (self._replayed if self.replaying else self._counts)[key] += 1
        return "250 Message accepted for delivery"

    def counts(self) -> Counter[tuple[Any, ...]]:
        """How often each message arrived."""
        with self._lock:
            return Counter(self._counts)


@contextmanager
def smtp_server() -> Iterator[tuple[int, _CountingHandler]]:
    """A real SMTP server on a free port of 127.0.0.1, in a thread; yields its port and its handler."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


@dataclass(frozen=True)
class Rate:
    """Messages sent in so many seconds, and the CPU seconds the whole process (the SMTP server too) spent."""

    messages: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_each(self) -> float:
        """CPU milliseconds a message: what a loaded machine's share of the cores does not distort."""
        return 1000 * self.cpu_seconds / self.messages if self.messages else 0.0


def smtplib_floor(port: int, handler: _CountingHandler, messages: list[tuple[str, list[str], bytes]]) -> Rate:
    """smtplib alone sending `messages` (as received) to the server on `port` over one connection,
    again and again for a second at least (each at least once): its rate and the process's CPU time."""
    handler.replaying = True
    sent = 0
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            started, cpu = perf_counter(), time.process_time()
            while messages and (sent < len(messages) or perf_counter() - started < FLOOR_SECONDS):
                sender, recipients, content = messages[sent % len(messages)]
                smtp.sendmail(sender, recipients, content)
                sent += 1
            seconds, cpu = perf_counter() - started, time.process_time() - cpu
    finally:
        handler.replaying = False
    return Rate(sent, seconds, cpu)


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


def run_bursts(app: Flask, loaded: _Loaded, plan: OutboxPlan) -> tuple[list[float], int, list[float]]:
    """Queue the bursts on the real clock and poll until they are out; (lateness in seconds, not
    sent, and per burst how late its first message went: when the dispatcher started on it, the
    rest of a burst's lateness being queueing behind its own messages)."""
    with app.app_context():
        start = SystemClock().now()
        for session in loaded.bursts:
            session.starts_at += start - loaded.origin
        booking_ids = _insert_sessions(loaded.bursts, loaded, random.Random(plan.seed + 1), start)
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


def _sent_in_database(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Notification.state == State.SENT)) or 0


def run_outbox(app: Flask, report: Reporter, plan: OutboxPlan) -> None:
    """Load the outbox beside `app`'s pool, then time the dispatcher's lateness, drain rate and memory."""
    with smtp_server() as (port, handler):
        dispatcher = dispatcher_app(app, port)
        try:
            _run_phases(dispatcher, report, plan, port, handler)
        finally:
            dispose(dispatcher)


def _run_phases(app: Flask, report: Reporter, plan: OutboxPlan, port: int, handler: _CountingHandler) -> None:
    started = perf_counter()
    with app.app_context():
        loaded = load_outbox(plan)
    size = {"notifications": loaded.notifications}
    report.emit("outbox_load", "seconds", perf_counter() - started, "s", **size)
    report.emit("outbox_load", "notifications", loaded.notifications, "rows", **size)
    report.emit("outbox_load", "bookings", loaded.bookings, "rows", **size)
    report.emit("outbox_load", "stale_skipped", loaded.stale, "rows", **size)
    sent_before = _sent_in_database(app)

    lateness, not_sent, starts = run_bursts(app, loaded, plan)
    bursts = {**size, "bursts": len(plan.burst_offsets_seconds), "burst_rows": plan.burst_rows}
    report.emit("outbox_lateness", "p50", percentile(lateness, 50), "s", **bursts)
    report.emit("outbox_lateness", "p99", percentile(lateness, 99), "s", **bursts)
    report.emit("outbox_lateness", "max", max(lateness, default=0.0), "s", **bursts)
    report.emit("outbox_lateness", "samples", len(lateness), "count", **bursts)
    report.emit("outbox_lateness", "not_sent", not_sent, "messages", **bursts)
    # The first burst's start is when a run starts on what falls due; a later one's may queue behind the last.
    report.emit("outbox_lateness", "start_min", min(starts, default=0.0), "s", **bursts)
    report.emit("outbox_lateness", "start_max", max(starts, default=0.0), "s", **bursts)

    handler.kept = []
    cpu = time.process_time()
    sent, seconds = run_backlog(app, loaded.groups["backlog"])
    rate = Rate(sent, seconds, time.process_time() - cpu)
    kept, handler.kept = handler.kept, None
    floor = smtplib_floor(port, handler, kept)
    drain = {**size, "overdue": sent}
    ratio = rate.per_second / floor.per_second if floor.per_second else 0.0
    report.emit("outbox_drain", "messages_per_second", rate.per_second, "messages/s", **drain)
    report.emit("outbox_drain", "floor_messages_per_second", floor.per_second, "messages/s", **drain, floor="smtplib")
    report.emit("outbox_drain", "ratio_to_floor", ratio, "ratio", **drain)
    report.emit("outbox_drain", "cpu_per_message", rate.cpu_ms_each, "ms", **drain)
    report.emit("outbox_drain", "floor_cpu_per_message", floor.cpu_ms_each, "ms", **drain, floor="smtplib")
    report.emit("outbox_drain", "messages", sent, "messages", **drain)
    report.emit("outbox_drain", "seconds", seconds, "s", **drain)

    tracemalloc.start()
    try:
        traced, _seconds = run_backlog(app, loaded.groups["traced"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    report.emit("outbox_memory", "peak", peak / MEGABYTE, "MB", **size, overdue=traced, measure="tracemalloc")

    counts = handler.counts()
    duplicates = sum(count - 1 for count in counts.values() if count > 1)
    report.emit("outbox", "received", sum(counts.values()), "messages", **size)
    report.emit("outbox", "sent_in_database", _sent_in_database(app) - sent_before, "messages", **size)
    report.emit("outbox", "duplicates", duplicates, "messages", **size)
    if duplicates:
        example = next(key for key, count in counts.items() if count > 1)
        raise RuntimeError(f"{duplicates} messages arrived more than once (at most once is broken), e.g. {example}")
