"""What the engine reads: plain, immutable snapshots of a request and of each candidate.

The service layer builds them from the database; the engine never sees the ORM.
All instants are aware UTC datetimes; weekly windows are in the interpreter's own zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rris.enums import Gender, GenderRule, Proficiency, Specialisation

MAX_SESSION = timedelta(hours=8)


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("intervals take aware datetimes")
        if self.end <= self.start:
            raise ValueError("an interval ends after it starts")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class WeeklyWindow:
    """Available on `weekday` (0 = Monday) from `start_minute` to `end_minute` local time."""

    weekday: int
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday is 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.start_minute < self.end_minute <= 24 * 60:
            raise ValueError("a window lies within one day and ends after it starts")


@dataclass(frozen=True)
class AccreditationPeriod:
    """Cleared for `country_id` from `valid_from` to `valid_to`, both inclusive."""

    country_id: int
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class Commitment:
    """A confirmed job of the candidate (another booking): its session, and the busy interval it holds."""

    booking_id: int
    interval: Interval
    busy: Interval  # as the assignment stores it (`rris.matching.domain.clashes.busy_interval`)


@dataclass(frozen=True)
class Candidate:
    """One interpreter as the engine sees them."""

    interpreter_id: int
    name: str
    active: bool
    gender: Gender
    timezone: str
    pairs: dict[frozenset[str], Proficiency]
    dialects: frozenset[tuple[str, str]]  # (language code, dialect name)
    accreditations: tuple[AccreditationPeriod, ...]
    specialisations: frozenset[Specialisation]
    windows: tuple[WeeklyWindow, ...]
    time_off: tuple[Interval, ...]
    commitments: tuple[Commitment, ...]
    daily_cap_minutes: int
    rest_gap_minutes: int
    booked_minutes_last_30_days: int = 0
    # Interpreted an earlier session of the applicant: of this case, or of a case linked to it
    # by the regional applicant key (in any country).
    served_case_before: bool = False


@dataclass(frozen=True)
class MatchRequest:
    """What the booking needs."""

    applicant_language: str
    officer_language: str
    country_id: int
    interval: Interval
    dialect: str | None = None
    gender: Gender | None = None
    gender_rule: GenderRule = GenderRule.NONE
    specialisations: frozenset[Specialisation] = field(default_factory=frozenset)
    objected_interpreter_ids: frozenset[int] = field(default_factory=frozenset)
    continuity_interpreter_id: int | None = None
    booking_id: int | None = None  # when re-matching an existing booking, its own commitment is ignored
    country_timezone: str = "UTC"  # accreditation must cover the session's date in the booking country
    # An on-demand call holds only itself: interpreters who chose "available now" take calls back to
    # back; scheduled jobs around it keep their own rest gaps (`rris.ondemand.domain.holds`).
    holds_rest_gap: bool = True

    def __post_init__(self) -> None:
        if self.applicant_language == self.officer_language:
            raise ValueError("applicant and officer languages must differ")
        if self.interval.duration > MAX_SESSION:
            raise ValueError("a session lasts at most 8 hours")
        if self.gender_rule is not GenderRule.NONE and self.gender is None:
            raise ValueError("a gender rule needs a gender")
