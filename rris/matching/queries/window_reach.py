"""Which weekly windows can matter to a span of time, as a condition the facts query binds.

A window can only help cover a stretch of time on its own weekday, and only where it overlaps it
(`rris.pool.domain.availability.covered_by_windows` walks windows that hold a minute of the
piece; merged spans of touching windows cover a piece only through windows that overlap it). So
of an interpreter's windows the ones that matter are those overlapping the span's local pieces
in her own zone: a session of an hour needs one or two of her thirty. The pieces depend on the
zone (midnight and clock changes are local), so the condition names each zone with its pieces:

    (zone = :z0 AND (weekday = :w0_0 AND start < :e0_0 AND end > :s0_0 OR ...)) OR ...
    OR zone NOT IN (:z0, ...)

The zones named are the ones searches in this process have met (`learn_zones`). An interpreter
in a zone not yet met keeps every window: the filter narrows, it never decides. Every zone gets
the same number of pieces (padded with a weekday no window has), so the statement's text depends
only on how many zones are named. A span with more pieces than that in some zone (days long, as
slot suggestions read) is not narrowed at all.
"""

from __future__ import annotations

from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, bindparam, not_, or_, true

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
    """The bound values of `window_condition` for `span` in `zones`; None when a zone needs more
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


def window_condition(zones: int, zone: ColumnElement[str]) -> ColumnElement[bool]:
    """Windows overlapping a piece of the span in their interpreter's `zone` (a column joined to
    them), for `zones` named zones; every window of an interpreter in another zone."""
    if not zones:
        return true()
    window = AvailabilityWindow
    named = [bindparam(f"window_zone_{index}", type_=String()) for index in range(zones)]
    by_zone = [
        and_(
            zone == named[index],
            or_(
                *[
                    and_(
                        window.weekday == bindparam(f"window_day_{index}_{piece}", type_=Integer()),
                        window.start_minute < bindparam(f"window_to_{index}_{piece}", type_=Integer()),
                        window.end_minute > bindparam(f"window_from_{index}_{piece}", type_=Integer()),
                    )
                    for piece in range(PIECES_PER_ZONE)
                ]
            ),
        )
        for index in range(zones)
    ]
    return or_(*by_zone, not_(zone.in_(named)))
