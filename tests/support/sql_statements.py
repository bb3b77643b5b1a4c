"""Counting the SELECT statements a piece of work runs (a page's cost must not grow with its rows),
and the write transactions it opens."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from rris.extensions import db


@contextmanager
def counted_statements(engine: Engine | None = None) -> Iterator[list[str]]:
    """The SELECT statements run on `engine` (the current app's when None) while the block runs."""
    statements: list[str] = []
    target = engine if engine is not None else db.engine

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(target, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", count)


@contextmanager
def executed_statements(engine: Engine | None = None) -> Iterator[list[tuple[str, Any]]]:
    """Every statement run on `engine` (the current app's when None) while the block runs, with its
    parameters: reads that start WITH as well, and what EXPLAIN needs to plan them again."""
    executed: list[tuple[str, Any]] = []
    target = engine if engine is not None else db.engine

    def record(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        executed.append((statement, parameters))

    event.listen(target, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        event.remove(target, "before_cursor_execute", record)


@contextmanager
def transactions_writing(table: str, engine: Engine | None = None) -> Iterator[set[int]]:
    """The transactions on `engine` (numbered as they begin) that wrote to `table` while the block runs.

    Each write transaction takes SQLite's one write lock (and a commit on either database), so
    how many a piece of work opens is what its writers queue on.
    """
    target = engine if engine is not None else db.engine
    began = itertools.count(1)
    current: dict[object, int] = {}  # each connection's transaction, by the number it began as
    writing: set[int] = set()

    def begin(connection) -> None:  # type: ignore[no-untyped-def]
        current[connection] = next(began)

    def execute(connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        words = statement.lstrip().upper()
        if words.startswith(("INSERT", "UPDATE", "DELETE")) and table.upper() in words:
            writing.add(current.get(connection, 0))

    event.listen(target, "begin", begin)
    event.listen(target, "before_cursor_execute", execute)
    try:
        yield writing
    finally:
        event.remove(target, "before_cursor_execute", execute)
        event.remove(target, "begin", begin)
