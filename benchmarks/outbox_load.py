"""The outbox benchmark's data: its own caseworkers and interpreters, confirmed bookings over the
coming days and their pending email reminders (24 h, 1 h, "join now"), written with Core bulk
inserts; the bursts' sessions are planned here and inserted when their phase starts."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Table, insert, select, update

from benchmarks.catalogue import APPLICANT_LANGUAGES, OFFICER_LANGUAGES, SESSION_MINUTES, SESSION_WEIGHTS, ZONES
from benchmarks.people import Row, user_row, weighted
from benchmarks.pool import BATCH_ROWS, DEFAULT_SEED
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.enums import BookingState, Channel, Gender, Modality, NotificationKind, Role, SessionKind
from rris.enums import NotificationState as State
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from rris.notifications.domain.notices import REMINDER_LEADS, reminder_timing
from rris.notifications.models.notifications import Notification
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import SystemClock

K = NotificationKind
RECIPIENTS = 2  # each booking reminds its caseworker and its interpreter
REST_GAP_MINUTES = 15  # the interpreters' rest gap around each session
FUTURE_FIRST_DAY = 2  # later sessions start from the day after tomorrow: none of theirs falls due here
FUTURE_DAYS = 7
FUTURE_QUARTERS_UTC = (6 * 4, 16 * 4)  # ... between 06:00 and 16:00 UTC, on the quarter hour


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
class Session:
    """A confirmed booking to create, the reminders it has pending, and who takes part."""

    starts_at: datetime
    minutes: int
    kinds: tuple[NotificationKind, ...]
    group: str  # "burst", "backlog", "traced" or "future"
    caseworker: int = 0  # indexes into the outbox's own people
    interpreter: int = 0


@dataclass
class Loaded:
    """What the load leaves for the phases: people's ids, booking ids per group, bursts to queue."""

    caseworkers: list[tuple[int, int, int]]  # (user id, department id, country id)
    interpreters: list[tuple[int, int]]  # (user id, interpreter profile id)
    origin: datetime  # the burst sessions' times are relative to this instant
    bursts: list[Session]
    groups: dict[str, list[int]] = field(default_factory=dict)
    bookings: int = 0
    notifications: int = 0
    stale: int = 0
    numbered: int = 0  # bookings inserted so far: the next code


def _plan_sessions(plan: OutboxPlan, rng: random.Random, now: datetime) -> list[Session]:
    """Every session with its pending reminders, two rows (caseworker, interpreter) a kind."""
    sessions: list[Session] = []
    for number, offset in enumerate(plan.burst_offsets_seconds):
        # On the hour: the 1 h reminders of sessions in an hour, the 24 h ones of tomorrow's;
        # ten minutes before it: the "join now" of sessions starting then.
        kinds = (K.REMINDER_1H, K.REMINDER_24H) if number % 2 == 0 else (K.JOIN_NOW,)
        for index in range(plan.burst_rows // RECIPIENTS):
            lead = REMINDER_LEADS[kinds[index % len(kinds)]]
            later = tuple(kind for kind, other in REMINDER_LEADS.items() if other <= lead)
            sessions.append(Session(now + timedelta(seconds=offset) + lead, 60, later, "burst"))
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
            sessions.append(Session(first_day + timedelta(days=day, minutes=15 * quarter), minutes, kinds, group))
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


def load_outbox(plan: OutboxPlan) -> Loaded:
    """Add the outbox's people and bookings with their pending reminders to the current database (bursts come later)."""
    rng = random.Random(plan.seed)
    now = SystemClock().now()
    sessions = _plan_sessions(plan, rng, now)
    bursts = [session for session in sessions if session.group == "burst"]
    loaded = _insert_people(plan, rng, 1 + max(s.interpreter for s in sessions), now, bursts)
    loaded.stale = _skip_stale(now)
    for group in ("backlog", "traced", "future"):
        loaded.groups[group] = insert_sessions([s for s in sessions if s.group == group], loaded, rng, now)
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
    plan: OutboxPlan, rng: random.Random, interpreters: int, now: datetime, bursts: list[Session]
) -> Loaded:
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
    return Loaded(
        caseworkers=[(user_id, desk[0], desk[1]) for user_id, desk in zip(caseworker_ids, desks, strict=True)],
        interpreters=list(zip(user_ids, profile_ids, strict=True)),
        origin=now,
        bursts=bursts,
    )


def insert_sessions(sessions: list[Session], loaded: Loaded, rng: random.Random, now: datetime) -> list[int]:
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
