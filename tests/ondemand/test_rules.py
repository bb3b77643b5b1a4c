"""The pure rules of on-demand calls: reachable by heartbeat, the hold of a call, whom to ring, the wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rris.matching.domain.engine import Match, MatchResult
from rris.matching.domain.rules import Rejection, RejectionReason
from rris.ondemand.domain.holds import final_hold, provisional_hold
from rris.ondemand.domain.presence import is_reachable
from rris.ondemand.domain.queueing import expected_wait, someone_could_take, to_ring

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def ranked(*ids: int) -> MatchResult:
    return MatchResult(matches=tuple(Match(i, f"#{i}", 50.0 - i, ()) for i in ids))


def test_reachable_while_available_and_two_beats_at_most_were_missed():
    assert is_reachable(True, NOW - timedelta(seconds=20), NOW, 10)
    assert not is_reachable(True, NOW - timedelta(seconds=21), NOW, 10)
    assert not is_reachable(False, NOW, NOW, 10)
    assert not is_reachable(True, None, NOW, 10)


def test_a_call_holds_the_maximum_until_it_ends_then_what_it_lasted():
    assert provisional_hold(NOW, 60).end == NOW + timedelta(minutes=60)
    assert final_hold(NOW, NOW + timedelta(minutes=7)).end == NOW + timedelta(minutes=7)
    assert final_hold(NOW, NOW).end > NOW, "a call hung up at once still holds a moment"


def test_the_best_free_interpreters_are_rung_in_the_engines_order_never_one_who_refused():
    assert to_ring(ranked(5, 3, 9, 1), free={1, 3, 5, 9}, refused={3}, slots=2) == [5, 9]
    assert to_ring(ranked(5, 3), free={3}, refused=set(), slots=3) == [3]


def test_busy_is_worth_waiting_for_unsuitable_is_not():
    busy = MatchResult(matches=(), rejections={4: (Rejection(RejectionReason.OVERLAPPING_JOB),)})
    unsuitable = MatchResult(
        matches=(),
        rejections={4: (Rejection(RejectionReason.OVERLAPPING_JOB), Rejection(RejectionReason.GENDER))},
    )
    assert someone_could_take(busy) and someone_could_take(ranked(2))
    assert not someone_could_take(unsuitable) and not someone_could_take(MatchResult(matches=()))


def test_the_expected_wait_is_the_median_or_unknown():
    assert expected_wait([]) is None
    waits = [timedelta(seconds=s) for s in (30, 10, 90, 20)]
    assert expected_wait(waits) == timedelta(seconds=25)
