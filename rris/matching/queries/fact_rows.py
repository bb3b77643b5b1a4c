"""One row shape for facts of many kinds, so that a UNION ALL of them reads them in one query.

Each kind of fact fills typed slots of its own and leaves the others NULL. Every branch gives a
slot the same type, so both databases unite the branches and the values come back converted
(dates, booleans). Instants, days and flags come back as the driver hands them (on SQLite, text and
integers): the reader converts them for the rows that have them (`instant`, `day`), where the
types' own processors ran on every slot of every row, NULLs included, the most of a large
search's time on SQLite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeDecorator, TypeEngine

from rris.timeutil import ensure_utc

NUMBERS = ("n0", "n1", "n2")
TEXTS = ("s0", "s1", "s2")
INSTANTS = ("t0", "t1", "t2", "t3")
DAYS = ("d0", "d1")
FLAGS = ("f0", "f1")


class _AsStored(TypeDecorator[Any]):
    """A slot's SQL type whose values come back as the driver returns them, unprocessed."""

    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        """No processing: the reader converts the few rows that carry a value."""
        return None


class _Instant(_AsStored):
    impl = DateTime(timezone=True)
    cache_ok = True


class _Day(_AsStored):
    impl = Date()
    cache_ok = True


class _Flag(_AsStored):
    impl = Boolean()
    cache_ok = True


_SLOT_TYPES: dict[str, TypeEngine[Any]] = {
    **dict.fromkeys(NUMBERS, Integer()),
    **dict.fromkeys(TEXTS, String()),  # enums travel as their stored values and are rebuilt in Python
    **dict.fromkeys(INSTANTS, _Instant()),
    **dict.fromkeys(DAYS, _Day()),
    **dict.fromkeys(FLAGS, _Flag()),
}


def instant(value: datetime | str) -> datetime:
    """An instant slot's value as an aware UTC datetime (SQLite hands over its stored text)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return ensure_utc(value)


def day(value: date | str) -> date:
    """A day slot's value as a date (SQLite hands over its stored text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


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
