"""Delivered time of a call: the time an officer and an interpreter were in it together.

Each side may be present through several spans at once (two tabs, a reconnect that opens the
new connection before the old one is closed, a telephone leg next to the browser), so each
side's spans are first merged and only then intersected: an overlap counts once. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

Span = tuple[datetime, datetime]


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """The union of `spans` as sorted, disjoint spans; empty or reversed spans are dropped.

    Spans that touch (one ends when the next starts) are joined into one.
    """
    kept: list[Span] = []
    for start, end in spans:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("spans must be aware instants")
        if start < end:
            kept.append((start, end))
    merged: list[Span] = []
    for start, end in sorted(kept):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def common_spans(first: Iterable[Span], second: Iterable[Span]) -> list[Span]:
    """The spans during which both `first` and `second` have a span open."""
    left, right = merge_spans(first), merge_spans(second)
    common: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            common.append((start, end))
        # The span that ends first cannot overlap anything further on the other side.
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return common


def delivered_seconds(officer_spans: Iterable[Span], interpreter_spans: Iterable[Span]) -> int:
    """Whole seconds during which at least one officer-side and one interpreter-side span were open."""
    together = common_spans(officer_spans, interpreter_spans)
    return int(sum((end - start for start, end in together), timedelta()).total_seconds())


def rounded_minutes(seconds: int) -> int:
    """Seconds as whole minutes for people to read, half a minute rounding up."""
    return (seconds + 30) // 60
