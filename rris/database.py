"""Engine set-up that differs by database: SQLite pragmas and transaction handling."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Execution option asking SQLite to take the write lock when the transaction begins.
IMMEDIATE = "rris_begin_immediate"


def engine_options(database_url: str) -> dict[str, Any]:
    """Options for `create_engine` suited to the database behind `database_url`."""
    if database_url.startswith("sqlite"):
        # Autocommit at the driver level; `configure_engine` issues BEGIN itself, so the
        # transaction boundaries are SQLAlchemy's and not pysqlite's guesses.
        return {"connect_args": {"check_same_thread": False, "isolation_level": None}}
    return {"pool_pre_ping": True}


def configure_engine(engine: Engine) -> None:
    """Turn on WAL and foreign keys for SQLite and make its transactions real."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read transaction cannot safely upgrade to a write in WAL mode ("database is
        # locked" at once), so writers say so up front and queue on busy_timeout instead.
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
