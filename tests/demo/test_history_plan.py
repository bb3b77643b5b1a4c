"""The planned past's diary: the clash rule of `rris.matching.domain.clashes`, looked up by day."""

from __future__ import annotations

from datetime import UTC, datetime

from rris.demo.history_plan import Diary
from rris.matching.domain.snapshots import Interval


def _span(start: tuple[int, int, int], end: tuple[int, int, int]) -> Interval:
    return Interval(datetime(2026, 1, *start, tzinfo=UTC), datetime(2026, 1, *end, tzinfo=UTC))


def test_a_span_across_midnight_clashes_with_both_days_spans_and_not_with_one_it_only_touches():
    diary = Diary()
    diary.add(_span((5, 23, 0), (6, 1, 0)))
    assert diary.clashes(_span((5, 22, 0), (5, 23, 30)))
    assert diary.clashes(_span((6, 0, 30), (6, 2, 0)))
    assert not diary.clashes(_span((6, 1, 0), (6, 2, 0)))  # half-open: one may start as the other ends
    assert not diary.clashes(_span((5, 21, 0), (5, 23, 0)))


def test_a_span_that_ends_at_midnight_is_not_on_the_next_day():
    diary = Diary()
    diary.add(_span((5, 22, 0), (6, 0, 0)))
    assert diary.clashes(_span((5, 23, 0), (5, 23, 30)))
    assert not diary.clashes(_span((6, 0, 0), (6, 1, 0)))


def test_a_removed_span_no_longer_clashes_and_the_others_still_do():
    diary = Diary()
    kept, released = _span((7, 8, 0), (7, 10, 0)), _span((7, 12, 0), (8, 0, 30))
    diary.add(kept)
    diary.add(released)
    diary.remove(released)
    assert not diary.clashes(_span((7, 13, 0), (7, 14, 0)))
    assert not diary.clashes(_span((8, 0, 0), (8, 1, 0)))
    assert diary.clashes(_span((7, 9, 0), (7, 9, 30)))
