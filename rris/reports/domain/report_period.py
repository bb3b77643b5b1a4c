"""A report's period: whole local days in the coordinator's zone, as UTC instants, with the
narrowing (country, department, language, kind, modality) that goes with it. Pure.

A period runs from the first local midnight of its first day up to (not including) the first
local midnight after its last day; a month that contains a clock change is 743 or 745 hours
long, not 744.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from rris.common.domain.calendar_years import within_years
from rris.enums import Modality, SessionKind
from rris.timeutil import zone


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers: whole local days from `first_day` to `last_day` (both included) in
    `zone_name`, narrowed by any of country, department, language, session kind and modality.

    `language` matches a session whose applicant's or officer's language is that ISO 639-3 code.
    """

    first_day: date
    last_day: date
    zone_name: str
    country_code: str | None = None
    department_id: int | None = None
    language: str | None = None
    session_kind: SessionKind | None = None
    modality: Modality | None = None

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("a report period cannot end before it starts")
        if not (within_years(self.first_day) and within_years(self.last_day)):
            raise ValueError("a report period lies in the years RRIS takes (calendar_years)")
        zone(self.zone_name)  # raises ValueError for an unknown zone

    @classmethod
    def month(cls, year: int, month: int, zone_name: str, **narrowing: object) -> ReportFilter:
        """The calendar month `year`-`month` in `zone_name`."""
        first = date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(first, following - timedelta(days=1), zone_name, **narrowing)  # type: ignore[arg-type]

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end)."""
        return period_bounds(self.first_day, self.last_day, self.zone_name)


def local_day_start(day: date, zone_name: str) -> datetime:
    """The UTC instant at which `day` begins in `zone_name`.

    That is local midnight; where a clock change skips midnight, the day begins at the change
    (fold=0 takes the offset in force before it, which lands exactly there), and where midnight
    happens twice, at its first occurrence.
    """
    return datetime.combine(day, time(0), tzinfo=zone(zone_name)).replace(fold=0).astimezone(UTC)


def period_bounds(first_day: date, last_day: date, zone_name: str) -> tuple[datetime, datetime]:
    """UTC [start, end) of the local days `first_day`..`last_day` (inclusive) in `zone_name`."""
    return local_day_start(first_day, zone_name), local_day_start(last_day + timedelta(days=1), zone_name)
