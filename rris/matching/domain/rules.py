"""Eligibility: every named reason an interpreter cannot take a session.

`evaluate` reports all reasons that apply, in the order of `RejectionReason`. The engine and the
slot suggestions share the same checks through `SessionFacts` (what is computed once per session
time) and `static_rejections` / `timed_rejections` (the rules that do not / do depend on the time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from rris.enums import GenderRule
from rris.matching.domain.clashes import busy_interval, jobs_clash
from rris.matching.domain.snapshots import Candidate, Interval, MatchRequest
from rris.pool.domain.availability import (
    MINUTES_PER_DAY,
    add_piece_minutes,
    covered_by_windows,
    local_pieces,
    wall_clock,
)

# More than any clock change moves a wall-clock midnight (one hour nearly everywhere).
_DST_SLACK = timedelta(hours=3)


class RejectionReason(StrEnum):
    """Why an interpreter cannot take a session; also the order reasons are reported in."""

    INACTIVE = "inactive"
    NO_LANGUAGE_PAIR = "no_language_pair"
    NO_DIALECT = "no_dialect"
    NOT_ACCREDITED = "not_accredited"
    OUTSIDE_AVAILABILITY = "outside_availability"
    TIME_OFF = "time_off"
    OVERLAPPING_JOB = "overlapping_job"
    DAILY_CAP = "daily_cap"
    GENDER = "gender"
    SPECIALISATION = "specialisation"
    OBJECTED_BY_APPLICANT = "objected_by_applicant"


# A value a reason carries for its wording: a code or free text, a count of minutes or an id, a
# calendar date, an instant (UTC).
ReasonValue = str | int | date | datetime


@dataclass(frozen=True)
class Rejection:
    """One reason, with the values its wording needs as (name, value) pairs; no sentence: the
    reader's words come from `rris.matching.services.wording`."""

    reason: RejectionReason
    params: tuple[tuple[str, ReasonValue], ...] = ()

    @property
    def values(self) -> dict[str, ReasonValue]:
        """The reason's values by name."""
        return dict(self.params)


_INACTIVE = Rejection(RejectionReason.INACTIVE)
_OBJECTED = Rejection(RejectionReason.OBJECTED_BY_APPLICANT)
_EARLY_REASONS = frozenset({RejectionReason.INACTIVE, RejectionReason.NO_LANGUAGE_PAIR, RejectionReason.NO_DIALECT})


def pair_of(request: MatchRequest) -> frozenset[str]:
    """The request's language pair, unordered as interpreters' pairs are."""
    return frozenset((request.applicant_language, request.officer_language))


class RequestFacts:
    """What the time-independent rules need about a request, computed once for every candidate.

    Rejections that read the same for every candidate are built once here and shared (they are immutable).
    """

    def __init__(self, request: MatchRequest) -> None:
        self.request = request
        self.pair = pair_of(request)
        languages = (("applicant_language", request.applicant_language), ("officer_language", request.officer_language))
        self.no_pair = Rejection(RejectionReason.NO_LANGUAGE_PAIR, languages)
        self.dialect = None if request.dialect is None else (request.applicant_language, request.dialect)
        self.no_dialect = Rejection(
            RejectionReason.NO_DIALECT, (("language", request.applicant_language), ("dialect", str(request.dialect)))
        )
        self.required_gender = request.gender if request.gender_rule is GenderRule.REQUIRED else None
        self.wrong_gender = Rejection(RejectionReason.GENDER, (("required", str(request.gender)),))


class SessionFacts:
    """What the time rules need about one session time, computed once and shared by every candidate."""

    def __init__(
        self, request: MatchRequest, interval: Interval | None = None, base: RequestFacts | None = None
    ) -> None:
        self.base = base or RequestFacts(request)
        self.request = request
        self.interval = interval or request.interval
        self.start = self.interval.start.astimezone(UTC)
        self.end = self.interval.end.astimezone(UTC)
        self.minutes = round(self.interval.duration.total_seconds() / 60)
        self.country_date: date = wall_clock(self.start, request.country_timezone).date()
        self.not_accredited = Rejection(
            RejectionReason.NOT_ACCREDITED, (("country_id", request.country_id), ("date", self.country_date))
        )
        self._pieces: dict[str, list[tuple[date, int, int]]] = {}
        self._outside: dict[str, Rejection] = {}
        self._day_minutes: dict[str, dict[date, int]] = {}
        self._busy: dict[int, Interval] = {}
        self._reach: dict[str, tuple[datetime, datetime]] = {}

    def pieces(self, zone_name: str) -> list[tuple[date, int, int]]:
        """The session's local pieces in `zone_name` (cached per zone)."""
        found = self._pieces.get(zone_name)
        if found is None:
            found = self._pieces[zone_name] = local_pieces(self.interval, zone_name)
        return found

    def outside_availability(self, zone_name: str) -> Rejection:
        """The OUTSIDE_AVAILABILITY rejection naming the session's local times in `zone_name` (cached)."""
        found = self._outside.get(zone_name)
        if found is None:
            params: tuple[tuple[str, ReasonValue], ...] = (
                ("timezone", zone_name),
                ("start", self.start),
                ("end", self.end),
            )
            found = self._outside[zone_name] = Rejection(RejectionReason.OUTSIDE_AVAILABILITY, params)
        return found

    def day_minutes(self, zone_name: str) -> dict[date, int]:
        """The session's real minutes on each local date in `zone_name` (cached per zone)."""
        found = self._day_minutes.get(zone_name)
        if found is None:
            found = self._day_minutes[zone_name] = add_piece_minutes({}, self.pieces(zone_name))
        return found

    def busy(self, gap_minutes: int) -> Interval:
        """The session's busy interval with a rest gap of `gap_minutes` (cached per gap); none for a
        session that holds no rest gap of its own (on demand)."""
        if not self.request.holds_rest_gap:
            gap_minutes = 0
        found = self._busy.get(gap_minutes)
        if found is None:
            found = self._busy[gap_minutes] = busy_interval(self.interval, gap_minutes)
        return found

    def day_reach(self, zone_name: str) -> tuple[datetime, datetime]:
        """A UTC span holding the local days the session touches in `zone_name` (cached per zone).

        Slightly wider than those days (by `_DST_SLACK` each side) so that it needs no midnight lookups.
        """
        found = self._reach.get(zone_name)
        if found is None:
            pieces = self.pieces(zone_name)
            before = timedelta(minutes=pieces[0][1]) + _DST_SLACK
            after = timedelta(minutes=MINUTES_PER_DAY - pieces[-1][2]) + _DST_SLACK
            found = self._reach[zone_name] = (self.start - before, self.end + after)
        return found


def static_rejections(candidate: Candidate, base: RequestFacts, *, first_only: bool = False) -> list[Rejection]:
    """The rules that do not depend on the session's time: who the interpreter is and what they do."""
    found: list[Rejection] = []
    if not candidate.active:
        found.append(_INACTIVE)
    if base.pair not in candidate.pairs:
        found.append(base.no_pair)
    if base.dialect is not None and base.dialect not in candidate.dialects:
        found.append(base.no_dialect)
    if first_only and found:
        return found[:1]
    request = base.request
    if base.required_gender is not None and candidate.gender != base.required_gender:
        found.append(base.wrong_gender)
    if request.specialisations and not request.specialisations <= candidate.specialisations:
        missing = ",".join(sorted(request.specialisations - candidate.specialisations))  # codes, comma-separated
        found.append(Rejection(RejectionReason.SPECIALISATION, (("missing", missing),)))
    if candidate.interpreter_id in request.objected_interpreter_ids:
        found.append(_OBJECTED)
    return found[:1] if first_only else found


def timed_rejections(candidate: Candidate, facts: SessionFacts, *, first_only: bool = False) -> list[Rejection]:
    """The rules that depend on when the session is: accreditation, availability, time off, jobs, cap."""
    found: list[Rejection] = []
    country_id, day = facts.request.country_id, facts.country_date
    for period in candidate.accreditations:
        if period.country_id == country_id and period.valid_from <= day <= period.valid_to:
            break
    else:
        if first_only:
            return [facts.not_accredited]
        found.append(facts.not_accredited)
    if not covered_by_windows(facts.pieces(candidate.timezone), candidate.windows):
        if first_only:
            return [facts.outside_availability(candidate.timezone)]
        found.append(facts.outside_availability(candidate.timezone))
    start, end = facts.start, facts.end
    for off in candidate.time_off:
        if off.start < end and start < off.end:
            params: tuple[tuple[str, ReasonValue], ...] = (("start", off.start), ("end", off.end))
            if first_only:
                return [Rejection(RejectionReason.TIME_OFF, params)]
            found.append(Rejection(RejectionReason.TIME_OFF, params))
            break
    if candidate.commitments or facts.minutes > candidate.daily_cap_minutes:
        found.extend(_job_rejections(candidate, facts, first_only))
    return found[:1] if first_only else found


def _job_rejections(candidate: Candidate, facts: SessionFacts, first_only: bool) -> list[Rejection]:
    """Overlapping jobs (one rejection per booking, rest gap included), then the daily cap."""
    found: list[Rejection] = []
    own = facts.request.booking_id
    gap = candidate.rest_gap_minutes
    busy = facts.busy(gap)
    reach_start, reach_end = facts.day_reach(candidate.timezone)
    nearby: list[Interval] = []
    nearby_span = timedelta(0)
    for commitment in candidate.commitments:
        interval = commitment.interval
        if commitment.booking_id == own:
            continue
        if jobs_clash(busy, commitment.busy):
            params: tuple[tuple[str, ReasonValue], ...] = (
                ("booking_id", commitment.booking_id),
                ("rest_gap_minutes", gap),
            )
            found.append(Rejection(RejectionReason.OVERLAPPING_JOB, params))
            if first_only:
                return found
        if interval.start < reach_end and reach_start < interval.end:
            nearby.append(interval)
            nearby_span += interval.end - interval.start
    # Cheap bound first: if everything nearby fits under the cap, no local day can exceed it.
    if facts.minutes + nearby_span.total_seconds() / 60 > candidate.daily_cap_minutes:
        found.extend(_cap_rejections(candidate, facts, nearby))
    return found


def _cap_rejections(candidate: Candidate, facts: SessionFacts, nearby: list[Interval]) -> list[Rejection]:
    """Local days (interpreter's zone) where booked minutes plus this session exceed the cap."""
    cap = candidate.daily_cap_minutes
    session_days = facts.day_minutes(candidate.timezone)
    booked: dict[date, int] = dict.fromkeys(session_days, 0)
    for interval in nearby:
        for day, start, end in local_pieces(interval, candidate.timezone):
            if day in booked:
                booked[day] += end - start
    found: list[Rejection] = []
    for day, session_minutes in session_days.items():
        if booked[day] + session_minutes > cap:
            params: tuple[tuple[str, ReasonValue], ...] = (
                ("date", day),
                ("booked_minutes", booked[day]),
                ("session_minutes", session_minutes),
                ("cap_minutes", cap),
            )
            found.append(Rejection(RejectionReason.DAILY_CAP, params))
    return found


def evaluate_with(candidate: Candidate, facts: SessionFacts, *, first_only: bool = False) -> tuple[Rejection, ...]:
    """`evaluate` with the request's and session's facts already prepared (the engine's hot path)."""
    if first_only:
        found = static_rejections(candidate, facts.base, first_only=True)
        return tuple(found or timed_rejections(candidate, facts, first_only=True))
    identity = static_rejections(candidate, facts.base)
    timed = timed_rejections(candidate, facts)
    if not identity:
        return tuple(timed)
    # Report in enum order: inactive, pair and dialect come before the time rules, the rest after.
    early = [r for r in identity if r.reason in _EARLY_REASONS]
    late = [r for r in identity if r.reason not in _EARLY_REASONS]
    return (*early, *timed, *late)


def evaluate(
    candidate: Candidate, request: MatchRequest, now: datetime, *, first_only: bool = False
) -> tuple[Rejection, ...]:
    """Every reason `candidate` cannot take `request` (empty: eligible); `first_only` stops at one.

    `now` is part of the contract for rules to come (such as a lead time); no rule reads it yet.
    """
    del now
    return evaluate_with(candidate, SessionFacts(request), first_only=first_only)
