"""Other times to offer when nobody can take the requested one.

The time-independent rules (active, pair, dialect, required gender, training, objections) are
checked once; only the time rules run at each step, and first the two that reject most at odd
hours, from structures built once: who is accredited on each date, and each weekly pattern
merged per weekday. `timed_rejections`, the same rules as `match`, then has the last word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rris.matching.domain.rules import RequestFacts, SessionFacts, static_rejections, timed_rejections
from rris.matching.domain.snapshots import Candidate, Interval, MatchRequest
from rris.pool.domain.availability import WeekIndex, covered_by_index, index_windows

DEFAULT_HORIZON = timedelta(days=7)
DEFAULT_STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class SlotSuggestion:
    """A start time (same duration as requested) and how many interpreters could take it."""

    interval: Interval
    eligible_count: int


def suggest_slots(
    request: MatchRequest,
    candidates: Iterable[Candidate],
    now: datetime,
    *,
    horizon: timedelta = DEFAULT_HORIZON,
    step: timedelta = DEFAULT_STEP,
    limit: int = 3,
) -> tuple[SlotSuggestion, ...]:
    """The first `limit` later start times with an eligible interpreter, spread apart.

    Starts run from the requested start + `step` to the requested start + `horizon` in `step`s,
    never before `now`. After a hit the next suggestion starts at least one session length
    later (on the same step grid), so that three suggestions are not one block of availability.
    The caller decides when to ask (typically when `match` found no one); this does not check.
    """
    if step <= timedelta(0):
        raise ValueError("the step must be positive")
    base = RequestFacts(request)
    pool = [c for c in candidates if not static_rejections(c, base, first_only=True)]
    if not pool or limit <= 0:
        return ()
    duration = request.interval.duration
    steps_per_session = -(-duration // step)  # ceiling: the next start on the grid after the session
    first_step, last_step = 1, horizon // step
    if now > request.interval.start + step:
        first_step = max(first_step, -(-(now - request.interval.start) // step))
    weeks = _WeekPatterns()
    groups_on: dict[date, list[tuple[str, WeekIndex, list[Candidate]]]] = {}
    found: list[SlotSuggestion] = []
    index = first_step
    while index <= last_step and len(found) < limit:
        start = request.interval.start + index * step
        interval = Interval(start, start + duration)
        facts = SessionFacts(request, interval, base)
        day = facts.country_date
        if day not in groups_on:
            groups_on[day] = weeks.group([c for c in pool if _accredited(c, request.country_id, day)])
        count = 0
        for zone_name, week, members in groups_on[day]:
            if covered_by_index(facts.pieces(zone_name), week):
                count += sum(1 for c in members if not timed_rejections(c, facts, first_only=True))
        if count:
            found.append(SlotSuggestion(interval, count))
            index += steps_per_session
        else:
            index += 1
    return tuple(found)


def _accredited(candidate: Candidate, country_id: int, day: date) -> bool:
    return any(p.country_id == country_id and p.valid_from <= day <= p.valid_to for p in candidate.accreditations)


class _WeekPatterns:
    """Candidates grouped by zone and weekly pattern (interpreters share patterns), merged on first use."""

    def __init__(self) -> None:
        self._patterns: dict[WeekIndex, WeekIndex] = {}
        self._by_candidate: dict[int, WeekIndex] = {}

    def group(self, candidates: list[Candidate]) -> list[tuple[str, WeekIndex, list[Candidate]]]:
        """(zone, merged windows, members) for each distinct zone and pattern, in first-seen order."""
        groups: dict[tuple[str, int], tuple[str, WeekIndex, list[Candidate]]] = {}
        for candidate in candidates:
            week = self._by_candidate.get(candidate.interpreter_id)
            if week is None:
                merged = index_windows(candidate.windows)
                week = self._by_candidate[candidate.interpreter_id] = self._patterns.setdefault(merged, merged)
            key = (candidate.timezone, id(week))  # equal patterns are one shared object
            if key not in groups:
                groups[key] = (candidate.timezone, week, [])
            groups[key][2].append(candidate)
        return list(groups.values())
