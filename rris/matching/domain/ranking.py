"""Ranking of eligible interpreters: a sum of named, explainable components.

Every component is always present (0 points when it does not apply) so that a coordinator sees
the same five lines for every interpreter. Weights are points: the best total is 90, or 100 when
the booking prefers a gender (gender_preference then counts out of 10, otherwise out of 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rris.enums import GenderRule, Proficiency
from rris.matching.domain.rules import ReasonValue, pair_of
from rris.matching.domain.snapshots import Candidate, MatchRequest
from rris.pool.domain.availability import wall_clock

CONTINUITY_POINTS = 40.0  # same interpreter as earlier sessions of the applicant
PROFICIENCY_POINTS: dict[Proficiency, float] = {
    Proficiency.NATIVE: 20.0,
    Proficiency.C2: 15.0,
    Proficiency.C1: 10.0,
    Proficiency.B2: 5.0,
}
PROFICIENCY_MAX_POINTS = 20.0
FAIR_SHARE_POINTS = 20.0  # for no minutes booked in the last 30 days, falling linearly...
FAIR_SHARE_FULL_MINUTES = 80 * 60  # ...to 0 points at 80 hours booked in the last 30 days
LOCAL_HOUR_POINTS = 10.0  # the whole session within 08:00-18:00 on the interpreter's clock
LOCAL_HOUR_EDGE_POINTS = 5.0  # the worst end of the session in 07:00-08:00 or 18:00-20:00
GENDER_PREFERENCE_POINTS = 10.0  # gender matches a preferred (not required) gender

COMFORT_START_MINUTE = 8 * 60
COMFORT_END_MINUTE = 18 * 60
EDGE_START_MINUTE = 7 * 60
EDGE_END_MINUTE = 20 * 60


class ScoreBasis(StrEnum):
    """Why a component gave its points: the stable code a reader's sentence is worded from."""

    # "Applicant", not "case": the earlier session may be of a case in another country linked by
    # the regional applicant key, and a case is one applicant.
    CONTINUITY_REQUESTED = "continuity_requested"
    CONTINUITY_SERVED = "continuity_served"
    CONTINUITY_NEW = "continuity_new"
    PROFICIENCY = "proficiency"
    NO_PROFICIENCY = "no_proficiency"
    BOOKED_RECENTLY = "booked_recently"
    NOTHING_BOOKED = "nothing_booked"
    LOCAL_HOURS = "local_hours"
    NO_GENDER_PREFERENCE = "no_gender_preference"
    PREFERRED_GENDER = "preferred_gender"
    NOT_PREFERRED_GENDER = "not_preferred_gender"


@dataclass(frozen=True)
class ScoreComponent:
    """One named part of a score, with its points out of `max_points` and why: a `basis` and the
    values its wording needs (`rris.matching.services.wording`), never a sentence."""

    name: str
    points: float
    max_points: float
    basis: ScoreBasis
    params: tuple[tuple[str, ReasonValue], ...] = ()

    @property
    def values(self) -> dict[str, ReasonValue]:
        """The basis's values by name."""
        return dict(self.params)


def _continuity(candidate: Candidate, request: MatchRequest) -> ScoreComponent:
    if candidate.interpreter_id == request.continuity_interpreter_id:
        return ScoreComponent("continuity", CONTINUITY_POINTS, CONTINUITY_POINTS, ScoreBasis.CONTINUITY_REQUESTED)
    if candidate.served_case_before:
        return ScoreComponent("continuity", CONTINUITY_POINTS, CONTINUITY_POINTS, ScoreBasis.CONTINUITY_SERVED)
    return ScoreComponent("continuity", 0.0, CONTINUITY_POINTS, ScoreBasis.CONTINUITY_NEW)


def _proficiency(candidate: Candidate, request: MatchRequest) -> ScoreComponent:
    pair: tuple[tuple[str, ReasonValue], ...] = (
        ("applicant_language", request.applicant_language),
        ("officer_language", request.officer_language),
    )
    level = candidate.pairs.get(pair_of(request))
    if level is None:
        return ScoreComponent("proficiency", 0.0, PROFICIENCY_MAX_POINTS, ScoreBasis.NO_PROFICIENCY, pair)
    points = PROFICIENCY_POINTS[level]
    return ScoreComponent(
        "proficiency", points, PROFICIENCY_MAX_POINTS, ScoreBasis.PROFICIENCY, (("level", level.value), *pair)
    )


def _fair_share(candidate: Candidate) -> ScoreComponent:
    booked = max(0, candidate.booked_minutes_last_30_days)
    points = round(FAIR_SHARE_POINTS * max(0.0, 1.0 - booked / FAIR_SHARE_FULL_MINUTES), 2)
    if not booked:
        return ScoreComponent("fair_share", points, FAIR_SHARE_POINTS, ScoreBasis.NOTHING_BOOKED)
    return ScoreComponent("fair_share", points, FAIR_SHARE_POINTS, ScoreBasis.BOOKED_RECENTLY, (("minutes", booked),))


def _comfort(minute_of_day: int) -> float:
    if COMFORT_START_MINUTE <= minute_of_day <= COMFORT_END_MINUTE:
        return LOCAL_HOUR_POINTS
    if EDGE_START_MINUTE <= minute_of_day <= EDGE_END_MINUTE:
        return LOCAL_HOUR_EDGE_POINTS
    return 0.0


def _local_hour(candidate: Candidate, request: MatchRequest) -> ScoreComponent:
    # The session is as comfortable as its worse end (17:00-19:00 earns the edge points); past midnight is never.
    start = wall_clock(request.interval.start, candidate.timezone)
    end = wall_clock(request.interval.end, candidate.timezone)
    points = 0.0
    if end.date() == start.date():
        points = min(_comfort(start.hour * 60 + start.minute), _comfort(end.hour * 60 + end.minute))
    params: tuple[tuple[str, ReasonValue], ...] = (
        ("timezone", candidate.timezone),
        ("start", request.interval.start),
        ("end", request.interval.end),
    )
    return ScoreComponent("local_hour", points, LOCAL_HOUR_POINTS, ScoreBasis.LOCAL_HOURS, params)


def _gender_preference(candidate: Candidate, request: MatchRequest) -> ScoreComponent:
    if request.gender_rule is not GenderRule.PREFERRED:
        return ScoreComponent("gender_preference", 0.0, 0.0, ScoreBasis.NO_GENDER_PREFERENCE)
    preferred: tuple[tuple[str, ReasonValue], ...] = (("gender", str(request.gender)),)
    if candidate.gender == request.gender:
        return ScoreComponent(
            "gender_preference",
            GENDER_PREFERENCE_POINTS,
            GENDER_PREFERENCE_POINTS,
            ScoreBasis.PREFERRED_GENDER,
            preferred,
        )
    return ScoreComponent(
        "gender_preference", 0.0, GENDER_PREFERENCE_POINTS, ScoreBasis.NOT_PREFERRED_GENDER, preferred
    )


def score(candidate: Candidate, request: MatchRequest) -> tuple[ScoreComponent, ...]:
    """The five scoring components for an eligible candidate, in a fixed order."""
    return (
        _continuity(candidate, request),
        _proficiency(candidate, request),
        _fair_share(candidate),
        _local_hour(candidate, request),
        _gender_preference(candidate, request),
    )


def total(components: tuple[ScoreComponent, ...]) -> float:
    """The sum of the components' points, rounded to hundredths so equal scores compare equal."""
    return round(sum(component.points for component in components), 2)
