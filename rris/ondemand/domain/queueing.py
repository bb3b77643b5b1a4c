"""The fair queue of a language pair: whom to ring, and how long a caller may expect to wait."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from rris.matching.domain.engine import MatchResult
from rris.matching.domain.rules import RejectionReason


def expected_wait(answer_times: Sequence[timedelta]) -> timedelta | None:
    """The median of recent answer times (request to answer); None ("unknown") without any."""
    if not answer_times:
        return None
    return timedelta(seconds=median(item.total_seconds() for item in answer_times))


def to_ring(result: MatchResult, free: set[int], refused: set[int], slots: int) -> list[int]:
    """The best `slots` eligible interpreters, in the engine's order, who are free to ring and have
    not declined or missed this request already."""
    chosen: list[int] = []
    for match in result.matches:
        if len(chosen) >= slots:
            break
        if match.interpreter_id in free and match.interpreter_id not in refused:
            chosen.append(match.interpreter_id)
    return chosen


def someone_could_take(result: MatchResult) -> bool:
    """True when a reachable interpreter could take the request once free: eligible now (perhaps
    ringing for someone else), or kept away only by a job she is doing."""
    if result.matches:
        return True
    return any(
        all(rejection.reason is RejectionReason.OVERLAPPING_JOB for rejection in reasons)
        for reasons in result.rejections.values()
    )


@dataclass(frozen=True)
class QueuePlace:
    """Where a waiting request stands: 1 is next; the expected wait is None when unknown."""

    position: int
    expected_wait: timedelta | None
