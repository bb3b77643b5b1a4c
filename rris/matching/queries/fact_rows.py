"""One row shape for facts of many kinds, so that a UNION ALL of them reads them in one query.

Each kind of fact fills typed slots of its own and leaves the others NULL. Every branch gives a
slot the same type, so both databases unite the branches and the values come back converted
(dates, booleans). Instants come back as the driver hands them (naive on SQLite): the reader makes
them aware UTC (`rris.timeutil.ensure_utc`) for the rows that have them, where the models' own
`UTCDateTime` would do it for every NULL of every row too, the most of a large search's time.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    cast,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeEngine

NUMBERS = ("n0", "n1", "n2")
TEXTS = ("s0", "s1", "s2")
INSTANTS = ("t0", "t1", "t2", "t3")
DAYS = ("d0", "d1")
FLAGS = ("f0", "f1")
_SLOT_TYPES: dict[str, TypeEngine[Any]] = {
    **dict.fromkeys(NUMBERS, Integer()),
    **dict.fromkeys(TEXTS, String()),  # enums travel as their stored values and are rebuilt in Python
    **dict.fromkeys(INSTANTS, DateTime(timezone=True)),
    **dict.fromkeys(DAYS, Date()),
    **dict.fromkeys(FLAGS, Boolean()),
}
# A column of a model, or any column expression.
Value = ColumnElement[Any] | QueryableAttribute[Any]


def fact_row(kind: IntEnum, interpreter_id: Value, **slots: Value) -> Select[Any]:
    """A SELECT of one kind of fact in the common row shape: `slots` by name, NULL in the rest."""
    unknown = set(slots) - set(_SLOT_TYPES)
    if unknown:
        raise ValueError(f"no such slots: {', '.join(sorted(unknown))}")
    columns: list[ColumnElement[Any]] = [
        literal_column(str(int(kind)), Integer()).label("kind"),
        type_coerce(interpreter_id, Integer()).label("interpreter_id"),
    ]
    for name, slot_type in _SLOT_TYPES.items():
        value = slots.get(name)
        columns.append((cast(null(), slot_type) if value is None else type_coerce(value, slot_type)).label(name))
    return select(*columns)
