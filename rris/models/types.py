"""Column types shared by the models."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime
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


def enum_type(enum_class: type[Enum]) -> SAEnum:
    """A portable enum column: VARCHAR + CHECK of the values (no native ENUM to migrate)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=enum_class.__name__.lower(),
    )


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic hook: write our column types as plain SQLAlchemy types in migrations.

    Migrations then do not import application code that may change later.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
