"""Exact durations between two instant columns, in SQL, alike on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

MICROSECONDS_PER_SECOND = 1_000_000
MICROSECONDS_PER_MINUTE = 60 * MICROSECONDS_PER_SECOND


class microseconds_between(FunctionElement[int]):  # noqa: N801 (an SQL function, named like one)
    """`later` − `earlier` (two instant columns) in whole microseconds: exact, unlike a float of seconds."""

    type = BigInteger()
    name = "microseconds_between"
    inherit_cache = True


@compiles(microseconds_between, "sqlite")
def _microseconds_between_sqlite(element: microseconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy stores instants on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): whole seconds
    # from unixepoch (SQLite 3.38+) of the first 19 characters, the microseconds from their six
    # digits (none → 0). Not unixepoch of the whole text: SQLite reads a fraction to the
    # millisecond and rounds, so '08:45:59.999999' would be 08:46:00.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"((unixepoch(substr({later}, 1, 19)) - unixepoch(substr({earlier}, 1, 19))) * 1000000"
        f" + CAST(substr({later}, 21, 6) AS INTEGER) - CAST(substr({earlier}, 21, 6) AS INTEGER))"
    )


@compiles(microseconds_between, "postgresql")
def _microseconds_between_postgresql(element: microseconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # EXTRACT(EPOCH ...) of an interval is numeric (exact) since PostgreSQL 14.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000 AS BIGINT)"
