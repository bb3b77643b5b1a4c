"""Record ids in URLs: the range `rris.common.domain.record_ids` explains, or no route matches."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

from rris.common.domain.record_ids import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a record id; anything else does not match the route (404)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
