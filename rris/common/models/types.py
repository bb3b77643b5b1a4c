"""Column types and index shapes shared by the models."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, Index, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator

from rris.timeutil import ensure_utc


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: accepts aware datetimes only, stores UTC, always returns aware UTC.

    SQLite has no time zones and hands back naive values; this keeps the rest of the code
    from ever seeing one.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC instant column")
        return ensure_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else ensure_utc(value)


def enum_type(enum_class: type[Enum], name: str | None = None) -> SAEnum:
    """A portable enum column: VARCHAR + CHECK of the values (no native ENUM to migrate).

    `name` names the CHECK constraint; give one when a table has two columns of one enum.
    """
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=name or enum_class.__name__.lower(),
    )


def unique_while_null(name: str, *columns: str, null_column: str) -> Index:
    """A unique index over `columns` among the rows whose `null_column` is NULL (the ones still open),
    partial on PostgreSQL and SQLite alike."""
    still_open = text(f"{null_column} IS NULL")
    return Index(name, *columns, unique=True, postgresql_where=still_open, sqlite_where=still_open)


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic hook: write our column types as plain SQLAlchemy types in migrations.

    Migrations then do not import application code that may change later.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Objects the migrations create on one database only, which the models do not declare.
DATABASE_SPECIFIC_OBJECTS = frozenset({("assignments", "busy")})


def include_in_comparison(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic hook: leave database-specific objects out of autogenerate's comparison."""
    table = getattr(getattr(obj, "table", None), "name", None)
    return not (type_ == "column" and reflected and (table, name) in DATABASE_SPECIFIC_OBJECTS)
