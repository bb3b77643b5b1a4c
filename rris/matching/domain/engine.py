"""The matching engine: candidates and a request in, ranked matches and named rejections out.

Pure and deterministic: the same snapshots and `now` always give the same result, whatever
the order of the candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rris.matching.domain.ranking import ScoreComponent, score, total
from rris.matching.domain.rules import Rejection, SessionFacts, evaluate_with
from rris.matching.domain.snapshots import Candidate, MatchRequest


@dataclass(frozen=True)
class Match:
    """An eligible interpreter with their score and its explanation."""

    interpreter_id: int
    name: str
    score: float
    components: tuple[ScoreComponent, ...]


@dataclass(frozen=True)
class MatchResult:
    """Matches best first, and every interpreter left out with all their reasons."""

    matches: tuple[Match, ...]
    rejections: dict[int, tuple[Rejection, ...]] = field(default_factory=dict)

    @property
    def eligible_count(self) -> int:
        """How many interpreters could take the session."""
        return len(self.matches)


def rank(request: MatchRequest, eligible: Iterable[Candidate]) -> tuple[Match, ...]:
    """Score eligible candidates: best first, ties to fewer minutes booked, then the lower id."""
    scored = []
    for candidate in eligible:
        components = score(candidate, request)
        match = Match(candidate.interpreter_id, candidate.name, total(components), components)
        scored.append((-match.score, candidate.booked_minutes_last_30_days, candidate.interpreter_id, match))
    scored.sort(key=lambda row: row[:3])
    return tuple(row[3] for row in scored)


def match(
    request: MatchRequest, candidates: Iterable[Candidate], now: datetime, *, first_only: bool = False
) -> MatchResult:
    """Rank the eligible candidates for `request` and name every reason for the others.

    `first_only` reports only the first failing rule per rejected candidate (cheapest first), for
    callers that need speed over explanation; by default every reason is reported.
    Raises ValueError when an interpreter appears twice among the candidates.
    """
    del now  # no rule depends on the current time yet; kept so that future ones (lead time) can
    facts = SessionFacts(request)
    eligible: list[Candidate] = []
    rejected: list[tuple[int, tuple[Rejection, ...]]] = []
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.interpreter_id in seen:
            raise ValueError(f"interpreter {candidate.interpreter_id} appears twice among the candidates")
        seen.add(candidate.interpreter_id)
        reasons = evaluate_with(candidate, facts, first_only=first_only)
        if reasons:
            rejected.append((candidate.interpreter_id, reasons))
        else:
            eligible.append(candidate)
    rejected.sort(key=lambda row: row[0])
    return MatchResult(matches=rank(request, eligible), rejections=dict(rejected))
