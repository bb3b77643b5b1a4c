"""The floor under confirmed bookings per second: the database's raw rate of one guarded insert.

In the benchmark's own database, beside the pool, a scratch table holds a booking-sized row (the
columns a booking and its assignment carry) under the same overlap guard as `assignments`: the
exclusion constraint on PostgreSQL, the BEFORE INSERT trigger on SQLite (migration 0002). The
same number of clients as the HTTP benchmark, each on a DBAPI connection of the app's own engine
(so SQLite's WAL, busy timeout and synchronous setting are the app's), loops: begin a write
transaction (BEGIN IMMEDIATE on SQLite, as every RRIS writer does), insert one row for its own
interpreter at a time that overlaps none of its earlier rows, commit. No ORM, no HTTP, no Python
work but the loop: what the database itself can commit. The table is dropped afterwards.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy.engine import Engine

TABLE = "bench_floor_jobs"  # spelled out in the trigger and the insert below
SLOT = timedelta(minutes=90)
BUSY = timedelta(minutes=90)  # a 60-minute session and 15 minutes of rest each side: slots touch, never overlap
FIRST_START = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)

_COLUMNS = """
    id {id},
    code VARCHAR(16) NOT NULL,
    department_id INTEGER NOT NULL,
    country_id INTEGER NOT NULL,
    created_by_id INTEGER NOT NULL,
    applicant_language VARCHAR(8) NOT NULL,
    officer_language VARCHAR(8) NOT NULL,
    session_kind VARCHAR(32) NOT NULL,
    modality VARCHAR(32) NOT NULL,
    case_reference VARCHAR(64) NOT NULL,
    notes TEXT,
    state VARCHAR(32) NOT NULL,
    interpreter_id INTEGER NOT NULL,
    starts_at {instant} NOT NULL,
    ends_at {instant} NOT NULL,
    busy_from {instant} NOT NULL,
    busy_until {instant} NOT NULL,
    released_at {instant},
    created_at {instant} NOT NULL
"""

_SQLITE_DDL = (
    f"CREATE TABLE {TABLE} ({_COLUMNS.format(id='INTEGER PRIMARY KEY', instant='DATETIME')})",
    f"CREATE INDEX ix_{TABLE}_busy ON {TABLE} (interpreter_id, busy_from, busy_until)",
    # The same trigger as assignments_no_overlap_insert (migration 0002).
    """
    CREATE TRIGGER bench_floor_jobs_no_overlap BEFORE INSERT ON bench_floor_jobs
    WHEN NEW.released_at IS NULL AND EXISTS (
        SELECT 1 FROM bench_floor_jobs other
        WHERE other.interpreter_id = NEW.interpreter_id
          AND other.id IS NOT NEW.id
          AND other.released_at IS NULL
          AND other.busy_from < NEW.busy_until
          AND NEW.busy_from < other.busy_until
    )
    BEGIN
        SELECT RAISE(ABORT, 'overlaps another job of this interpreter');
    END
    """,
)
_POSTGRES_DDL = (
    f"CREATE TABLE {TABLE} ({_COLUMNS.format(id='SERIAL PRIMARY KEY', instant='TIMESTAMPTZ')},"
    " busy tstzrange GENERATED ALWAYS AS (tstzrange(busy_from, busy_until, '[)')) STORED)",
    f"CREATE INDEX ix_{TABLE}_busy ON {TABLE} (interpreter_id, busy_from, busy_until)",
    # The same constraint as ex_assignments_no_overlap (migration 0002).
    f"ALTER TABLE {TABLE} ADD CONSTRAINT ex_{TABLE}_no_overlap"
    " EXCLUDE USING gist (interpreter_id WITH =, busy WITH &&) WHERE (released_at IS NULL)",
)
_INSERT = (
    "INSERT INTO bench_floor_jobs (code, department_id, country_id, created_by_id, applicant_language,"
    " officer_language, session_kind, modality, case_reference, notes, state, interpreter_id, starts_at, ends_at,"
    " busy_from, busy_until, created_at) VALUES ({marks})"
)


@dataclass
class FloorTally:
    """Commits per client, and anything a client ran into."""

    commits: list[int]
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Floor:
    """The floor's result: guarded inserts committed per second by `clients` clients."""

    per_second: float
    commits: int
    seconds: float
    clients: int
    errors: list[str]


def measure_floor(engine: Engine, clients: int, seconds: float) -> Floor:
    """Create the scratch table, run `clients` inserting clients for `seconds`, drop it; the rate."""
    sqlite = engine.dialect.name == "sqlite"
    _run_ddl(engine, _SQLITE_DDL if sqlite else _POSTGRES_DDL)
    try:
        tally = FloorTally(commits=[0] * clients)
        start = threading.Barrier(clients + 1)
        deadline = [0.0]
        threads = [
            threading.Thread(target=_client, args=(engine, n, deadline, tally, start), name=f"floor-{n}")
            for n in range(clients)
        ]
        for thread in threads:
            thread.start()
        deadline[0] = perf_counter() + seconds
        started = perf_counter()
        start.wait()
        for thread in threads:
            thread.join()
        elapsed = perf_counter() - started
    finally:
        _run_ddl(engine, (f"DROP TABLE {TABLE}",))
    total = sum(tally.commits)
    return Floor(total / elapsed if elapsed else 0.0, total, elapsed, clients, tally.errors)


def _run_ddl(engine: Engine, statements: tuple[str, ...]) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def _client(engine: Engine, index: int, deadline: list[float], tally: FloorTally, start: threading.Barrier) -> None:
    """One client: its own connection, one guarded insert per transaction until the deadline."""
    raw = engine.raw_connection()
    try:
        start.wait()
        _insert_loop(raw, engine.dialect.name == "sqlite", index, deadline, tally)
    except Exception as error:  # counted and reported; the other clients go on
        with tally.lock:
            tally.errors.append(repr(error))
    finally:
        raw.close()


def _insert_loop(raw: Any, sqlite: bool, index: int, deadline: list[float], tally: FloorTally) -> None:
    cursor = raw.cursor()
    insert = _INSERT.format(marks=", ".join(["?" if sqlite else "%s"] * 17))
    interpreter_id = 1_000_000 + index
    slot = 0
    while perf_counter() < deadline[0]:
        starts = FIRST_START + slot * SLOT
        busy_from, ends = starts - timedelta(minutes=15), starts + timedelta(minutes=60)
        row = (
            f"FL-{index:02d}{slot:06d}",
            1,
            1,
            1,
            "arb",
            "srp",
            "asylum_interview",
            "video",
            f"RS-FLOOR-{index:02d}",
            "Follow-up interview.",
            "confirmed",
            interpreter_id,
            _instant(starts, sqlite),
            _instant(ends, sqlite),
            _instant(busy_from, sqlite),
            _instant(busy_from + BUSY, sqlite),
            _instant(starts, sqlite),
        )
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(insert, row)
        if sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
        tally.commits[index] += 1
        slot += 1


def _instant(value: datetime, sqlite: bool) -> Any:
    # SQLite: the ISO text RRIS stores (text order is time order, as the trigger relies on).
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value
