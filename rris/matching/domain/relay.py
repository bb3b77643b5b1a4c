"""Relay through English when no one interprets the applicant's language into the officer's directly.

Pashto–Macedonian becomes Pashto–English (first leg, the applicant's side) plus English–Macedonian
(second leg, the officer's side), two interpreters in one call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from rris.enums import GenderRule
from rris.matching.domain.engine import MatchResult, match
from rris.matching.domain.snapshots import Candidate, MatchRequest
from rris.pool.domain.languages import RELAY_LANGUAGE

__all__ = ["RELAY_LANGUAGE", "RelayPlan", "leg_requests", "plan_relay"]


@dataclass(frozen=True)
class RelayPlan:
    """Ranked interpreters for each leg of a relay; nobody is proposed for both legs.

    An interpreter eligible for both legs is listed in one leg only and named in
    `shared_interpreter_ids`; in the other leg they are neither a match nor a rejection.
    """

    first_leg: MatchResult
    second_leg: MatchResult
    shared_interpreter_ids: frozenset[int] = field(default_factory=frozenset)


def leg_requests(request: MatchRequest) -> tuple[MatchRequest, MatchRequest]:
    """The two legs' requests: the applicant's constraints go to the first leg only.

    Dialect, gender, specialisations and continuity concern the applicant's interpreter;
    objections, country (accreditation), time and the booking itself apply to both legs.
    """
    first = replace(request, officer_language=RELAY_LANGUAGE)
    second = MatchRequest(
        applicant_language=RELAY_LANGUAGE,
        officer_language=request.officer_language,
        country_id=request.country_id,
        interval=request.interval,
        gender_rule=GenderRule.NONE,
        objected_interpreter_ids=request.objected_interpreter_ids,
        booking_id=request.booking_id,
        country_timezone=request.country_timezone,
    )
    return first, second


def _without(result: MatchResult, interpreter_ids: set[int]) -> MatchResult:
    matches = tuple(m for m in result.matches if m.interpreter_id not in interpreter_ids)
    return MatchResult(matches=matches, rejections=result.rejections)


def plan_relay(request: MatchRequest, candidates: Iterable[Candidate], now: datetime) -> RelayPlan | None:
    """Both legs of a relay through English, or None when a side is English or a leg has no one.

    The caller decides when a relay is wanted (no direct match); this does not look for one.
    An interpreter eligible for both legs stays in the first leg, unless that would leave the
    second leg empty: then the one ranked best for the second leg moves there, if the first leg
    keeps someone else. So a relay is found whenever two different interpreters can cover it.
    """
    if RELAY_LANGUAGE in (request.applicant_language, request.officer_language):
        return None
    pool = tuple(candidates)
    first_request, second_request = leg_requests(request)
    first = match(first_request, pool, now)
    second = match(second_request, pool, now)
    first_ids = [m.interpreter_id for m in first.matches]
    second_ids = [m.interpreter_id for m in second.matches]
    shared = set(first_ids) & set(second_ids)
    drop_from_first: set[int] = set()
    drop_from_second = set(shared)
    if shared and len(second_ids) == len(shared) and len(first_ids) > 1:
        moved = second_ids[0]  # every second-leg match is shared; take its best
        drop_from_first.add(moved)
        drop_from_second.discard(moved)
    first, second = _without(first, drop_from_first), _without(second, drop_from_second)
    if not first.matches or not second.matches:
        return None
    return RelayPlan(first_leg=first, second_leg=second, shared_interpreter_ids=frozenset(shared))
