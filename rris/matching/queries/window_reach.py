"""Which weekly windows can matter to a span of time, as a condition the facts query binds.

A window can only help cover a stretch of time on its own weekday, and only where it overlaps it
(`rris.pool.domain.availability.covered_by_windows` walks windows that hold a minute of the
piece; merged spans of touching windows cover a piece only through windows that overlap it). So
of an interpreter's windows the ones that matter are those overlapping the span's local pieces
in her own zone: a session of an hour needs one or two of her thirty. The pieces depend on the
zone (midnight and clock changes are local), so the condition joins each interpreter's zone to a
table of the zones with their pieces, bound as ONE parameter, a JSON list of rows:

    windows JOIN chosen LEFT JOIN (rows of json_each(:window_zones)) AS pieces ON pieces.zone = chosen.timezone
    WHERE pieces.zone IS NULL OR (weekday = day_0 AND start < to_0 AND end > from_0) OR ...

(`json_array_elements` on PostgreSQL.) The statement's text is the same however many zones are
named: a zone met later changes a value, never the statement (nor SQLAlchemy's compiled cache
nor a server's prepared plan). The zones named are the ones searches in this process have met
(`learn_zones`). An interpreter in a zone not yet met keeps every window: the filter narrows, it
never decides. Every zone gets the same number of pieces (padded with a weekday no window has). A
span with more pieces than that in some zone (days long, as slot suggestions read) is not
narrowed at all.
"""

from __future__ import annotations

import json
from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, Subquery, and_, bindparam, cast, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import Label
from sqlalchemy.sql.functions import FunctionElement

from rris.matching.domain.snapshots import Interval
from rris.pool.domain.availability import local_pieces
from rris.pool.models.interpreters import AvailabilityWindow

# Enough for any span up to a day less the clock change: one local midnight and one clock change.
PIECES_PER_ZONE = 3
_NO_WEEKDAY = -1  # padding: no window lies on it
_ZONES_KEPT = 64  # zones named at most (a region has a dozen); further ones keep every window
REACH_PARAMETER = "window_zones"
# A zone's row in the bound list: the zone, then each piece's weekday, first and end minute.
_PARTS = ("day", "from", "to")

_known: tuple[str, ...] = ()
_learning = Lock()


def known_zones() -> tuple[str, ...]:
    """The zones this process has met among interpreters, sorted."""
    return _known


def learn_zones(zones: set[str]) -> None:
    """Remember zones met among interpreters, so that later searches narrow their windows too."""
    global _known  # noqa: PLW0603 (one tuple per process, replaced whole)
    if zones.issubset(_known) or len(_known) >= _ZONES_KEPT:
        return
    with _learning:
        _known = tuple(sorted({*_known, *zones}))[:_ZONES_KEPT]


def reach_params(span: Interval, zones: tuple[str, ...]) -> dict[str, Any] | None:
    """The bound value of `narrowed` for `span` in `zones` (one JSON list of rows); None when a
    zone needs more pieces than the statement has (the span is not narrowed)."""
    rows: list[list[str | int]] = []
    for zone in zones:
        pieces = local_pieces(span, zone)
        if len(pieces) > PIECES_PER_ZONE:
            return None
        padded = [(day.weekday(), start, end) for day, start, end in pieces]
        padded += [(_NO_WEEKDAY, 0, 0)] * (PIECES_PER_ZONE - len(pieces))
        rows.append([zone, *(value for piece in padded for value in piece)])
    return {REACH_PARAMETER: json.dumps(rows, separators=(",", ":"))}


class json_rows(FunctionElement[Any]):  # noqa: N801 (an SQL function, named like one)
    """The elements of a JSON array given as text, one row each, in a column `value`."""

    name = "json_rows"
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements(CAST({compiler.process(element.clauses, **kw)} AS json))"


class json_item(FunctionElement[Any]):  # noqa: N801 (an SQL function, named like one)
    """Item `index` of a JSON array value (`json_item(value, index)`, the index a literal number)."""

    name = "json_item"
    inherit_cache = True


@compiles(json_item, "sqlite")
def _json_item_sqlite(element: json_item, compiler: SQLCompiler, **kw: Any) -> str:
    value, index = element.clauses
    return f"json_extract({compiler.process(value, **kw)}, '$[{int(index.value)}]')"


@compiles(json_item, "postgresql")
def _json_item_postgresql(element: json_item, compiler: SQLCompiler, **kw: Any) -> str:
    value, index = element.clauses
    return f"({compiler.process(value, **kw)} ->> {int(index.value)})"


def zone_pieces() -> Subquery:
    """A table of the named zones, one row each, from the one bound list: the zone and its
    pieces' weekday, from and to."""
    rows = json_rows(bindparam(REACH_PARAMETER, type_=String())).table_valued("value").alias("zone_rows")
    columns: list[Label[Any]] = [cast(json_item(rows.c.value, 0), String()).label("zone")]
    for piece in range(PIECES_PER_ZONE):
        for offset, part in enumerate(_PARTS, start=1 + piece * len(_PARTS)):
            columns.append(cast(json_item(rows.c.value, offset), Integer()).label(f"{part}_{piece}"))
    return select(*columns).select_from(rows).subquery("zone_pieces")


def narrowed(row: Select[Any], zone: ColumnElement[str]) -> Select[Any]:
    """`row` over the windows, each with its interpreter's `zone` (a column joined to them), kept
    when they overlap a piece of the span there, or always for a zone not named.

    The zone's pieces are found once per interpreter (a join to `zone_pieces`), so each window
    costs a few comparisons of integers, not one of every zone's name."""
    window, pieces = AvailabilityWindow, zone_pieces()
    overlaps = [
        and_(
            window.weekday == pieces.c[f"day_{piece}"],
            window.start_minute < pieces.c[f"to_{piece}"],
            window.end_minute > pieces.c[f"from_{piece}"],
        )
        for piece in range(PIECES_PER_ZONE)
    ]
    return row.outerjoin(pieces, pieces.c.zone == zone).where(or_(pieces.c.zone.is_(None), *overlaps))
