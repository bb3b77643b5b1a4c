"""The pieces request shapes are made of: one pydantic model per API body, form post or query.

A shape is described once, next to the use case it feeds (`rris.bookings.services.booking_requests`),
and that one description validates JSON bodies (strictly: no text for a number), form posts and
query strings (leniently: every value arrives as text), and generates `/api/v1/openapi.json`.
Values come out typed (enums, ints, wall-clock datetimes), so no layer formats them back into
text for another to parse again. `rris.common.web.request_shapes` turns pydantic's errors into
InvalidInput, one sentence per field through gettext; `Explained` lets a field say its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import ErrorDetails, PydanticCustomError

from rris.common.domain.calendar_years import YEAR_PATTERN
from rris.common.domain.record_ids import MAX_ID

# In the years RRIS takes (`calendar_years`): a zone moving 0001-01-01 00:10 or 9999-12-31 23:00 overflows.
WALL_CLOCK_PATTERN = f"^{YEAR_PATTERN}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}})?$"
NOT_BLANK_PATTERN = "\\S"  # at least one character that is not white space (a search, not anchored)


@dataclass(frozen=True)
class Explained:
    """A field's own sentence for a value it refuses; `says` returns None to leave an error to the
    generic sentence of its kind (a number where text belongs reads the same on every field)."""

    says: Callable[[ErrorDetails], str | None]


class RequestShape(BaseModel):
    """Base of every request shape: immutable once read, unknown fields ignored unless it forbids them."""

    model_config = ConfigDict(frozen=True)


def _wall_clock(value: Any) -> datetime:
    """A wall-clock time without a zone: YYYY-MM-DDTHH:MM (a space for the T, and seconds, allowed)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value
    if isinstance(value, str) and re.fullmatch(WALL_CLOCK_PATTERN, value, re.ASCII):
        with suppress(ValueError):
            return datetime.fromisoformat(value)
    raise PydanticCustomError("wall_clock", "not a wall-clock time from 2000 to 2099 like 2026-03-02T09:00")


# A local date and time, zoned later by the use case with the department's or the person's zone.
WallClock = Annotated[
    datetime,
    PlainValidator(_wall_clock, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "pattern": WALL_CLOCK_PATTERN}),
]
# Text that must say something: white space at either end dropped, something left.
SAYS_SOMETHING = StringConstraints(strip_whitespace=True, min_length=1, pattern=NOT_BLANK_PATTERN)
# A record's id as a body may name it: the range of the INTEGER keys (`rris.common.web.ids`).
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def always(sentence: Callable[[], str]) -> Explained:
    """The field's sentence for every refused value of the right type (gettext runs when refused)."""
    return Explained(lambda _item: sentence())


def too_long(sentence: Callable[[int, int], str]) -> Explained:
    """`sentence(most, length)` for a text over its limit (white space at either end not counted,
    as it is not kept); other errors generic."""

    def says(item: ErrorDetails) -> str | None:
        if item["type"] != "string_too_long":
            return None
        return sentence(item.get("ctx", {})["max_length"], len(str(item["input"]).strip()))

    return Explained(says)


def blank_or(sentence: Callable[[], str]) -> Explained:
    """`sentence` when nothing (or only white space) was given; other errors generic."""

    def says(item: ErrorDetails) -> str | None:
        blank = item["type"] in ("missing", "string_too_short", "string_pattern_mismatch")
        return sentence() if blank else None

    return Explained(says)
