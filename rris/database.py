"""Engine set-up that differs by database: SQLite pragmas and transaction handling, PostgreSQL's JIT off."""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Every connection to PostgreSQL starts with JIT compilation off. The portal's statements are short
# reads and writes, but a correlated count or a large join makes the planner's cost estimate pass
# `jit_above_cost`, and PostgreSQL then compiled the statement to machine code first: 0.9 to 1.3 s
# of compiling for 0.2 s of reading on the accreditation warnings, and longer than the run on the
# month's report. Set once per connection, no statement or transaction has to remember it.
POSTGRESQL_OPTIONS = "-c jit=off"
# Execution option asking SQLite to take the write lock when the transaction begins.
IMMEDIATE = "rris_begin_immediate"

# One queue of writers per SQLite file in this process (every engine on that file shares it).
_WRITER_QUEUES: dict[str, threading.Lock] = {}
_WRITER_QUEUES_GUARD = threading.Lock()


class WriterQueueConnection(sqlite3.Connection):
    """A pysqlite connection that leaves its process's writer queue once its transaction has ended.

    SQLite lets one writer in at a time and makes the others poll: a writer refused with
    SQLITE_BUSY sleeps 1, 2, 5 ... then 100 ms between tries, so under a burst the lock sits idle
    while the next writer sleeps, and whoever arrives last may win. Writers of one process
    therefore queue on a lock of their own first and wake the moment the previous one has
    committed; SQLite's lock and busy timeout still stand between processes.
    """

    writer_queue: threading.Lock | None = None  # the queue this connection holds, while it holds it

    def commit(self) -> None:
        """Commit, then let the next writer of this process in."""
        try:
            super().commit()
        finally:
            self.leave_writer_queue()

    def rollback(self) -> None:
        """Roll back, then let the next writer of this process in."""
        try:
            super().rollback()
        finally:
            self.leave_writer_queue()

    def close(self) -> None:
        """Close, then let the next writer of this process in."""
        try:
            super().close()
        finally:
            self.leave_writer_queue()

    def leave_writer_queue(self) -> None:
        """Release the writer queue if this connection holds it."""
        queue, self.writer_queue = self.writer_queue, None
        if queue is not None:
            queue.release()


def _writer_queue(database: str) -> threading.Lock:
    with _WRITER_QUEUES_GUARD:
        return _WRITER_QUEUES.setdefault(os.path.realpath(database), threading.Lock())


def engine_options(database_url: str) -> dict[str, Any]:
    """Options for `create_engine` suited to the database behind `database_url`."""
    if database_url.startswith("sqlite"):
        # Autocommit at the driver level; `configure_engine` issues BEGIN itself, so the
        # transaction boundaries are SQLAlchemy's and not pysqlite's guesses.
        return {"connect_args": {"check_same_thread": False, "isolation_level": None, "factory": WriterQueueConnection}}
    given = make_url(database_url).query.get("options")  # a deployment's own, kept before ours
    options = " ".join([*([given] if isinstance(given, str) else given or ()), POSTGRESQL_OPTIONS])
    return {"pool_pre_ping": True, "connect_args": {"options": options}}


def configure_engine(engine: Engine) -> None:
    """Turn on WAL and foreign keys for SQLite and make its transactions real."""
    if engine.dialect.name != "sqlite":
        return
    on_file = engine.url.database not in (None, "", ":memory:")
    queue = _writer_queue(str(engine.url.database)) if on_file else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if on_file:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read transaction cannot safely upgrade to a write in WAL mode ("database is
        # locked" at once), so writers say so up front and queue on busy_timeout instead.
        immediate = connection.get_execution_options().get(IMMEDIATE)
        dbapi_connection = connection.connection.dbapi_connection
        # Past SQLite's own timeout, go on without the queue: SQLite then answers as it always did.
        if (
            immediate
            and queue is not None
            and isinstance(dbapi_connection, WriterQueueConnection)
            and queue.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        ):
            dbapi_connection.writer_queue = queue
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except BaseException:
            if isinstance(dbapi_connection, WriterQueueConnection):
                dbapi_connection.leave_writer_queue()
            raise
