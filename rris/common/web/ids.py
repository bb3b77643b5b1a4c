"""Record ids as the web accepts them: whole numbers from 1 to 2^31-1, the range of the keys.

Primary keys are INTEGER columns: 32 bits on PostgreSQL, which refuses a larger parameter
("integer out of range"), while SQLite's driver cannot even bind one beyond 64 bits
(OverflowError). A number outside the range names no record, so it is a 404 in a URL and an
invalid field in a body, decided before any query and alike on both databases.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # an INTEGER primary key's largest value


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a record id; anything else does not match the route (404)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def is_record_id(value: Any) -> TypeGuard[int]:
    """True for a JSON or form value that can be a record's id (an int, not a bool, in range)."""
    return type(value) is int and 1 <= value <= MAX_ID
