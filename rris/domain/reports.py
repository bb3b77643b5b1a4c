"""Utilisation figures and what each country owes the pool, computed from plain rows. Pure.

The rules, stated once (the report pages and exports repeat them to their readers):

- **Period.** A period is a run of whole local days in the coordinator's zone: from the first
  local midnight of its first day up to (not including) the first local midnight after its last
  day. A month that contains a clock change is 743 or 745 hours long, not 744.
- **Which sessions.** A session belongs to the period its *start* falls in, whatever its state;
  a session from 23:30 to 00:30 belongs to the day, and month, it started in. All its minutes
  count there.
- **Delivered.** A session is delivered when it is completed. Its delivered time is the call
  summary's delivered seconds (an officer and an interpreter in the call together, counted once)
  when the call left a summary, else the booked duration (a telephone session held outside the
  RRIS call leaves no call records, and the interpreter confirmed it took place).
- **Cost.** Each interpreter holding a leg of a delivered session bills its delivered time at
  their own hourly rate and currency: ``seconds × rate / 3600``, rounded to the cent half-up per
  session and interpreter, then summed per country and currency. Currencies are never converted.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rris.domain.call_presence import rounded_minutes
from rris.enums import BookingState, Modality, SessionKind
from rris.timeutil import ensure_utc, zone

CENT = Decimal("0.01")
SECONDS_PER_HOUR = 3600
SECONDS_PER_MINUTE = 60


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

    def covers(self, starts_at: datetime) -> bool:
        """True when a session starting at `starts_at` belongs to the period."""
        start, end = self.bounds
        return start <= ensure_utc(starts_at) < end


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


@dataclass(frozen=True)
class SessionRow:
    """One booking as the report needs it: no names, no case reference."""

    booking_id: int
    country_code: str
    applicant_language: str
    state: BookingState
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    confirmed_at: datetime | None  # the latest confirmation; a reschedule clears it
    cancelled_late: bool
    delivered_seconds: int | None = None  # the call summary's, None when the call left none
    had_call: bool = False  # anyone joined the RRIS call (browser or phone)
    phone_fallback: bool = False  # someone in the call took part by telephone
    modality: Modality = Modality.VIDEO

    @property
    def booked_seconds(self) -> int:
        return int((ensure_utc(self.ends_at) - ensure_utc(self.starts_at)).total_seconds())

    @property
    def delivered(self) -> bool:
        return self.state is BookingState.COMPLETED

    @property
    def billable_seconds(self) -> int:
        """Delivered time: the call summary's, else the booked duration; 0 when not delivered."""
        if not self.delivered:
            return 0
        return self.booked_seconds if self.delivered_seconds is None else self.delivered_seconds


@dataclass(frozen=True)
class ChargeRow:
    """One interpreter holding a leg of a booking, with their rate."""

    booking_id: int
    hourly_rate: Decimal
    currency: str


def session_cost(seconds: int, hourly_rate: Decimal) -> Decimal:
    """What `seconds` at `hourly_rate` cost, rounded to the cent half-up (37 min at 25.00 → 15.42)."""
    exact = Decimal(seconds) * Decimal(hourly_rate) / SECONDS_PER_HOUR
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def median_duration(durations: Iterable[timedelta]) -> timedelta | None:
    """The median (mean of the middle two for an even count), or None for none."""
    values = sorted(durations)
    if not values:
        return None
    return timedelta(seconds=statistics.median(value.total_seconds() for value in values))


@dataclass(frozen=True)
class Report:
    """The figures of one period and filter. Times are kept in seconds (minutes = seconds / 60);
    the `*_minutes` properties round them half a minute up for reading.

    - `requested_sessions`, `requested_seconds`: every session that starts in the period, in any
      state, and its booked duration.
    - `delivered_sessions`, `delivered_seconds`: completed sessions and their delivered time.
    - `filled_sessions`: sessions that hold a confirmation (every leg had its interpreter).
    - `fill_rate`: filled / (requested − cancelled while unfilled); None when that is 0. A session
      cancelled before anyone filled it never had the chance to be filled, so it is left out;
      one cancelled after being filled stays in, counted as filled.
    - `median_time_to_fill`: median of confirmation − creation over filled sessions.
    - `median_lead_time`: median of start − creation over requested sessions (how far ahead
      departments book).
    - `late_cancellations` / `early_cancellations`: cancelled sessions cancelled less than /
      at least the late-cancellation notice before their start (the flag the booking carries).
    - `outcomes`: sessions per state (completed, no-shows, wrong language, technical failure,
      cancelled, unfilled, and the still-open states).
    - `calls`, `phone_fallbacks`, `phone_share`: sessions booked by video whose call anyone
      joined; of those, the ones in which someone took part by telephone; their share (None
      when no call). Sessions booked by telephone are telephone by design and left out.
    - `seconds_by_language`: delivered seconds per (country code, applicant's language).
    - `cost`: per (country code, currency), the sum of the per-session, per-interpreter costs.
    """

    bounds: tuple[datetime, datetime]
    requested_sessions: int = 0
    requested_seconds: int = 0
    delivered_sessions: int = 0
    delivered_seconds: int = 0
    filled_sessions: int = 0
    fill_rate: float | None = None
    median_time_to_fill: timedelta | None = None
    median_lead_time: timedelta | None = None
    late_cancellations: int = 0
    early_cancellations: int = 0
    outcomes: dict[BookingState, int] = field(default_factory=dict)
    calls: int = 0
    phone_fallbacks: int = 0
    phone_share: float | None = None
    seconds_by_language: dict[tuple[str, str], int] = field(default_factory=dict)
    cost: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def requested_minutes(self) -> int:
        return rounded_minutes(self.requested_seconds)

    @property
    def delivered_minutes(self) -> int:
        return rounded_minutes(self.delivered_seconds)

    @property
    def interpreter_no_shows(self) -> int:
        return self.outcomes.get(BookingState.INTERPRETER_NO_SHOW, 0)

    @property
    def applicant_no_shows(self) -> int:
        return self.outcomes.get(BookingState.APPLICANT_NO_SHOW, 0)


def compute_report(
    report_filter: ReportFilter, sessions: Iterable[SessionRow], charges: Iterable[ChargeRow] = ()
) -> Report:
    """The figures for the sessions that start in the filter's period (rows outside it are ignored;
    the other narrowing is the loader's job)."""
    bounds = report_filter.bounds
    rows = [row for row in sessions if report_filter.covers(row.starts_at)]
    by_id = {row.booking_id: row for row in rows}

    cancelled = [row for row in rows if row.state is BookingState.CANCELLED]
    filled = [row for row in rows if row.confirmed_at is not None]
    cancelled_unfilled = sum(1 for row in cancelled if row.confirmed_at is None)
    eligible = len(rows) - cancelled_unfilled
    delivered = [row for row in rows if row.delivered]
    video_calls = [row for row in rows if row.modality is Modality.VIDEO and row.had_call]
    fallbacks = sum(1 for row in video_calls if row.phone_fallback)

    by_language: defaultdict[tuple[str, str], int] = defaultdict(int)
    for row in delivered:
        by_language[(row.country_code, row.applicant_language)] += row.billable_seconds

    cost: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for charge in charges:
        row = by_id.get(charge.booking_id)
        if row is None or not row.delivered:
            continue
        cost[(row.country_code, charge.currency)] += session_cost(row.billable_seconds, charge.hourly_rate)

    return Report(
        bounds=bounds,
        requested_sessions=len(rows),
        requested_seconds=sum(row.booked_seconds for row in rows),
        delivered_sessions=len(delivered),
        delivered_seconds=sum(row.billable_seconds for row in delivered),
        filled_sessions=len(filled),
        fill_rate=len(filled) / eligible if eligible else None,
        median_time_to_fill=median_duration(
            ensure_utc(row.confirmed_at) - ensure_utc(row.created_at) for row in filled if row.confirmed_at
        ),
        median_lead_time=median_duration(ensure_utc(row.starts_at) - ensure_utc(row.created_at) for row in rows),
        late_cancellations=sum(1 for row in cancelled if row.cancelled_late),
        early_cancellations=sum(1 for row in cancelled if not row.cancelled_late),
        outcomes=dict(Counter(row.state for row in rows)),
        calls=len(video_calls),
        phone_fallbacks=fallbacks,
        phone_share=fallbacks / len(video_calls) if video_calls else None,
        seconds_by_language=dict(by_language),
        cost=dict(cost),
    )
