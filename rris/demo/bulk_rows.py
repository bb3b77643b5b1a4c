"""Writing many rows at once, for generated data (the demo pool's past, the benchmarks)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, insert

from rris.enums import CallRole
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


def closed_attendance_row(
    booking_id: int,
    role: CallRole,
    channel: str,
    joined: datetime,
    left: datetime,
    user_id: int | None = None,
    participant: str | None = None,
) -> Row:
    """A `call_attendances` row of someone who joined and left cleanly, as generated history has it."""
    return {
        "booking_id": booking_id,
        "user_id": user_id,
        "role": role,
        "channel": channel,
        "joined_at": joined,
        "left_at": left,
        "participant": participant,
        "display_name": None,
        "connection_id": None,
        "left_reason": "left",
        "last_seen_at": left,
        "quality_samples": 0,
        "poor_samples": 0,
    }
