"""Counting the SELECT statements a piece of work runs: a page's cost must not grow with its rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
