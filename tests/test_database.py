"""SQLite writers of one process queue for the write lock instead of polling SQLite for it; PostgreSQL
connections never compile a statement with JIT."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event, text

from rris.database import IMMEDIATE, WriterQueueConnection, configure_engine, engine_options
from rris.extensions import db
from rris.portal import create_portal
from rris.timeutil import FrozenClock
from tests.conftest import DEFAULT_NOW, settings_for_test

WRITERS = 8
WRITES_EACH = 25


@pytest.fixture
def impatient_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a SQLite file as the portal configures it, but with SQLite's own wait at zero.

    SQLite then answers "database is locked" at once to a writer that finds the lock taken, so a
    writer that succeeds is one the process's queue let in only when the lock was free.
    """
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)

    @event.listens_for(engine, "connect")
    def _no_patience(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 0")

    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tally (writer INTEGER NOT NULL, item INTEGER NOT NULL)")
    yield engine
    engine.dispose()


def _write(engine: Engine, writer: int, item: int) -> None:
    with engine.connect().execution_options(**{IMMEDIATE: True}) as connection, connection.begin():
        connection.execute(text("INSERT INTO tally (writer, item) VALUES (:w, :i)"), {"w": writer, "i": item})


def test_writers_of_one_process_at_the_same_moment_all_commit_without_waiting_on_sqlite(impatient_engine):
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()
        for item in range(WRITES_EACH):
            _write(impatient_engine, number, item)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))  # any "database is locked" would be raised here

    with impatient_engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM tally")) == WRITERS * WRITES_EACH


def test_a_writer_that_fails_lets_the_next_one_in(impatient_engine):
    writer = impatient_engine.connect().execution_options(**{IMMEDIATE: True})
    with pytest.raises(ZeroDivisionError), writer as connection, connection.begin():
        connection.execute(text("INSERT INTO tally (writer, item) VALUES (1, 1)"))
        raise ZeroDivisionError  # the use case fails halfway: its write is rolled back

    other = threading.Thread(target=_write, args=(impatient_engine, 2, 1))
    other.start()
    other.join(timeout=5)
    assert not other.is_alive(), "the failed writer still holds the queue"
    with impatient_engine.connect() as connection:
        assert connection.execute(text("SELECT writer FROM tally")).scalars().all() == [2]


def test_readers_do_not_queue(impatient_engine):
    with impatient_engine.connect().execution_options(**{IMMEDIATE: True}) as writer, writer.begin():
        writer.execute(text("INSERT INTO tally (writer, item) VALUES (1, 1)"))
        with impatient_engine.connect() as reader:  # WAL: a reader goes on while a write is open
            assert reader.scalar(text("SELECT count(*) FROM tally")) == 0
            raw = reader.connection.dbapi_connection
            assert isinstance(raw, WriterQueueConnection)
            assert raw.writer_queue is None


def _portal_on_postgresql(request: pytest.FixtureRequest, tmp_path: Path, smtp_port: int, query: str = "") -> Flask:
    url = request.getfixturevalue("postgres").create_database(f"engine_{tmp_path.name[-10:].lower()}")
    return create_portal(settings_for_test(tmp_path, url + query, smtp_port), FrozenClock(DEFAULT_NOW))


def _plan(statement: str) -> dict[str, Any]:
    return db.session.execute(text(f"EXPLAIN (FORMAT JSON) {statement}")).scalar_one()[0]


# Estimated far above PostgreSQL's jit_above_cost (100,000): a plan PostgreSQL would compile first.
EXPENSIVE = "SELECT count(*) FROM generate_series(1, 100000) AS a, generate_series(1, 10000) AS b WHERE a + b = 7"


def test_the_portal_never_has_postgresql_compile_a_statement_with_jit(request, tmp_path, smtp_server):
    portal = _portal_on_postgresql(request, tmp_path, smtp_server[1])
    try:
        with portal.app_context():
            assert "JIT" not in _plan(EXPENSIVE)  # no SET LOCAL in this transaction: the connection's own setting
            db.session.commit()
            assert db.session.execute(text("SHOW jit")).scalar_one() == "off"  # in the next transaction too
    finally:
        with portal.app_context():
            db.engine.dispose()


def test_a_deployments_own_postgresql_options_in_its_url_are_kept_beside_jit_off(request, tmp_path, smtp_server):
    portal = _portal_on_postgresql(request, tmp_path, smtp_server[1], "?options=-c%20statement_timeout%3D4567")
    try:
        with portal.app_context():
            assert db.session.execute(text("SHOW statement_timeout")).scalar_one() == "4567ms"
            assert db.session.execute(text("SHOW jit")).scalar_one() == "off"
    finally:
        with portal.app_context():
            db.engine.dispose()
