"""Writing many rows at once, for generated data (the demo pool's past, the benchmarks)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import Table, insert

from rris.extensions import db

Row = dict[str, Any]


def insert_rows(table: Table, rows: list[Row]) -> None:
    """Insert `rows` (dicts with the same keys): COPY on PostgreSQL, a plain executemany elsewhere
    (a multi-row INSERT costs PostgreSQL's driver seconds to assemble at this size)."""
    if not rows:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    driver = db.session.connection().connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([value.value if isinstance(value, Enum) else value for value in row.values()])
