"""Which weekly windows can matter to a span of time, as a condition the facts query binds.

A window can only help cover a stretch of time on its own weekday, and only where it overlaps it
(`rris.pool.domain.availability.covered_by_windows` walks windows that hold a minute of the
piece; merged spans of touching windows cover a piece only through windows that overlap it). So
of an interpreter's windows the ones that matter are those overlapping the span's local pieces
in her own zone: a session of an hour needs one or two of her thirty. The pieces depend on the
zone (midnight and clock changes are local), so the condition names each zone with its pieces:

    windows JOIN chosen LEFT JOIN (:zone_0, :day_0_0, :from_0_0, :to_0_0, ... UNION ALL ...) AS pieces
    WHERE pieces.zone IS NULL OR (weekday = day_0 AND start < to_0 AND end > from_0) OR ...

The zones named are the ones searches in this process have met (`learn_zones`). An interpreter
in a zone not yet met keeps every window: the filter narrows, it never decides. Every zone gets
the same number of pieces (padded with a weekday no window has), so the statement's text depends
only on how many zones are named. A span with more pieces than that in some zone (days long, as
slot suggestions read) is not narrowed at all.
"""

from __future__ import annotations

from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, Subquery, and_, bindparam, or_, select, union_all

from rris.matching.domain.snapshots import Interval
from rris.pool.domain.availability import local_pieces
from rris.pool.models.interpreters import AvailabilityWindow

# Enough for any span up to a day less the clock change: one local midnight and one clock change.
PIECES_PER_ZONE = 3
_NO_WEEKDAY = -1  # padding: no window lies on it
_ZONES_KEPT = 64  # zones named at most (a region has a dozen); further ones keep every window

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
    """The bound values of `narrowed` for `span` in `zones`; None when a zone needs more
    pieces than the statement has (the span is not narrowed)."""
    params: dict[str, Any] = {}
    for index, zone in enumerate(zones):
        pieces = local_pieces(span, zone)
        if len(pieces) > PIECES_PER_ZONE:
            return None
        params[f"window_zone_{index}"] = zone
        padded = [(day.weekday(), start, end) for day, start, end in pieces]
        padded += [(_NO_WEEKDAY, 0, 0)] * (PIECES_PER_ZONE - len(pieces))
        for piece, (weekday, start, end) in enumerate(padded):
            params[f"window_day_{index}_{piece}"] = weekday
            params[f"window_from_{index}_{piece}"] = start
            params[f"window_to_{index}_{piece}"] = end
    return params


def zone_pieces(zones: int) -> Subquery:
    """A table of the named zones, one row each: the zone and its pieces' weekday, from and to."""
    rows = [
        select(
            bindparam(f"window_zone_{index}", type_=String()).label("zone"),
            *[
                bindparam(f"window_{part}_{index}_{piece}", type_=Integer()).label(f"{part}_{piece}")
                for piece in range(PIECES_PER_ZONE)
                for part in ("day", "from", "to")
            ],
        )
        for index in range(zones)
    ]
    return union_all(*rows).subquery("zone_pieces")


def narrowed(row: Select[Any], zone: ColumnElement[str], zones: int) -> Select[Any]:
    """`row` over the windows, each with its interpreter's `zone` (a column joined to them), kept
    when they overlap a piece of the span there, or always for a zone not named.

    The zone's pieces are found once per interpreter (a join to `zone_pieces`), so each window
    costs a few comparisons of integers, not one of every zone's name."""
    if not zones:
        return row
    window, pieces = AvailabilityWindow, zone_pieces(zones)
    overlaps = [
        and_(
            window.weekday == pieces.c[f"day_{piece}"],
            window.start_minute < pieces.c[f"to_{piece}"],
            window.end_minute > pieces.c[f"from_{piece}"],
        )
        for piece in range(PIECES_PER_ZONE)
    ]
    return row.outerjoin(pieces, pieces.c.zone == zone).where(or_(pieces.c.zone.is_(None), *overlaps))
