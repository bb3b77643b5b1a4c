"""Hints for SQLite's query planner, which plans without statistics (nothing runs ANALYZE there).

`likely(X)` is X to SQLite, but tells its planner that X keeps most rows: searching an index on X
is then not worth it. PostgreSQL weighs its own statistics and is given X as it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


class Likely(ColumnElement[bool]):
    """A condition most rows meet: `likely(condition)` on SQLite, the condition elsewhere."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition itself, not a value to compare with true

    def __init__(self, condition: ColumnElement[bool]) -> None:
        self.condition = condition

    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]


def likely(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition`, marked for SQLite's planner as one that most rows meet."""
    return Likely(condition)


@compiles(Likely)
def _elsewhere(element: Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.condition, **kw)


@compiles(Likely, "sqlite")
def _on_sqlite(element: Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likely({compiler.process(element.condition, **kw)})"
