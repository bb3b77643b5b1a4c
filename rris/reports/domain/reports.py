"""Utilisation figures and what each country owes the pool, computed from plain rows. Pure.

The rules, stated once (the report pages and exports repeat them to their readers):

- **Period.** A run of whole local days in the coordinator's zone (`rris.reports.domain.report_period`).
- **Which sessions.** A session belongs to the period its *start* falls in, whatever its state;
  a session from 23:30 to 00:30 belongs to the day, and month, it started in. All its minutes
  count there. An on-demand call starts when an interpreter answers it (when it was requested,
  if nobody did).
- **Delivered.** A session is delivered when it is completed. Its delivered time is the call
  summary's delivered seconds (an officer and an interpreter in the call together, counted once)
  when the call left a summary, else the booked duration (a telephone session held outside the
  RRIS call leaves no call records, and the interpreter confirmed it took place).
- **Cost.** Each interpreter holding a leg of a delivered session bills its delivered time at
  their own hourly rate and currency: ``seconds × rate / 3600``, rounded to the cent half-up per
  session and interpreter, then summed per country and currency. Currencies are never converted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from rris.calls.domain.call_presence import rounded_minutes
from rris.enums import BookingState, Modality
from rris.reports.domain.billing import ChargeGroup, ChargeRow, billable, is_delivered, session_cost
from rris.reports.domain.durations import median_microseconds, microseconds
from rris.reports.domain.report_period import ReportFilter
from rris.timeutil import ensure_utc


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
    on_demand: bool = False  # an on-demand call, not a session booked ahead

    @property
    def booked_seconds(self) -> int:
        return int((ensure_utc(self.ends_at) - ensure_utc(self.starts_at)).total_seconds())

    @property
    def delivered(self) -> bool:
        return is_delivered(self.state)

    @property
    def billable_seconds(self) -> int:
        """Delivered time: the call summary's, else the booked duration; 0 when not delivered."""
        return billable(
            self.state, self.delivered_seconds is not None, self.delivered_seconds or 0, self.booked_seconds
        )


@dataclass(frozen=True, slots=True)
class SessionGroup:
    """Sessions that agree on everything the figures tell apart, counted and summed: one row of a
    GROUP BY in the database, or of `group_sessions` over `SessionRow`s."""

    country_code: str
    applicant_language: str
    state: BookingState
    filled: bool  # the sessions hold a confirmation
    cancelled_late: bool
    modality: Modality
    had_call: bool
    phone_fallback: bool
    has_summary: bool  # their calls left a summary
    sessions: int
    booked_seconds: int  # the sum of their booked durations
    summary_seconds: int  # the sum of their call summaries' delivered seconds (0 without a summary)
    on_demand: bool = False  # on-demand calls rather than sessions booked ahead

    @property
    def billable_seconds(self) -> int:
        """Their delivered time (see `billable`)."""
        return billable(self.state, self.has_summary, self.summary_seconds, self.booked_seconds)


@dataclass(frozen=True)
class Report:
    """The figures of one period and filter. Times are kept in seconds (minutes = seconds / 60);
    the `*_minutes` properties round them half a minute up for reading.

    The booking figures (requested, filled, fill rate, time to fill, lead time, cancellations,
    outcomes) are those of sessions booked ahead: an on-demand call is never offered, filled or
    cancelled with notice (`rris.reports.domain.on_demand` has its own figures). Delivered time,
    minutes by language, cost and calls count every session, on-demand ones included.

    - `requested_sessions`, `requested_seconds`: every booked session that starts in the period,
      in any state, and its booked duration.
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
    - `seconds_by_language`, `sessions_by_language`: delivered seconds and sessions per
      (country code, applicant's language).
    - `cost`: per (country code, currency), the sum of the per-session, per-interpreter costs;
      `cost_sessions` the delivered sessions billed in it, `cost_seconds` the interpreter time
      billed (a session with two interpreters bills its time twice).
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
    sessions_by_language: dict[tuple[str, str], int] = field(default_factory=dict)
    cost: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    cost_sessions: dict[tuple[str, str], int] = field(default_factory=dict)
    cost_seconds: dict[tuple[str, str], int] = field(default_factory=dict)

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
    start, end = report_filter.bounds
    rows = [row for row in sessions if start <= ensure_utc(row.starts_at) < end]
    booked = [row for row in rows if not row.on_demand]
    return report_from_groups(
        (start, end),
        group_sessions(rows),
        group_charges(rows, charges),
        times_to_fill=[
            microseconds(ensure_utc(row.confirmed_at) - ensure_utc(row.created_at))
            for row in booked
            if row.confirmed_at is not None
        ],
        lead_times=[microseconds(ensure_utc(row.starts_at) - ensure_utc(row.created_at)) for row in booked],
    )


# What `group_sessions` and `group_charges` group by: the leading fields of their groups.
_SessionKey = tuple[str, str, BookingState, bool, bool, Modality, bool, bool, bool, bool]
_ChargeKey = tuple[str, str, BookingState, bool]


def group_sessions(rows: Iterable[SessionRow]) -> list[SessionGroup]:
    """`rows` grouped as the database groups them for `report_from_groups`."""
    totals: defaultdict[_SessionKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        key = (
            row.country_code,
            row.applicant_language,
            row.state,
            row.confirmed_at is not None,
            row.cancelled_late,
            row.modality,
            row.had_call,
            row.phone_fallback,
            row.delivered_seconds is not None,
            row.on_demand,
        )
        total = totals[key]
        total[0] += 1
        total[1] += row.booked_seconds
        total[2] += row.delivered_seconds or 0
    return [
        SessionGroup(*key[:-1], sessions=total[0], booked_seconds=total[1], summary_seconds=total[2], on_demand=key[-1])
        for key, total in totals.items()
    ]


def group_charges(rows: Iterable[SessionRow], charges: Iterable[ChargeRow]) -> list[ChargeGroup]:
    """The charges on `rows` (others are ignored) grouped as the database groups them."""
    by_id = {row.booking_id: row for row in rows}
    sessions: defaultdict[_ChargeKey, set[int]] = defaultdict(set)
    costs: defaultdict[_ChargeKey, list[Decimal]] = defaultdict(lambda: [Decimal(), Decimal()])
    seconds: defaultdict[_ChargeKey, list[int]] = defaultdict(lambda: [0, 0])
    for charge in charges:
        row = by_id.get(charge.booking_id)
        if row is None:
            continue
        key = (row.country_code, charge.currency, row.state, row.delivered_seconds is not None)
        sessions[key].add(row.booking_id)
        costs[key][0] += session_cost(row.delivered_seconds or 0, charge.hourly_rate)
        costs[key][1] += session_cost(row.booked_seconds, charge.hourly_rate)
        seconds[key][0] += row.delivered_seconds or 0
        seconds[key][1] += row.booked_seconds
    return [
        ChargeGroup(
            *key,
            sessions=len(sessions[key]),
            cost_by_summary=costs[key][0],
            cost_by_booking=costs[key][1],
            seconds_by_summary=seconds[key][0],
            seconds_by_booking=seconds[key][1],
        )
        for key in costs
    ]


def report_from_groups(
    bounds: tuple[datetime, datetime],
    groups: Iterable[SessionGroup],
    charges: Iterable[ChargeGroup] = (),
    *,
    times_to_fill: Iterable[int] = (),
    lead_times: Iterable[int] = (),
) -> Report:
    """The figures of the period `bounds` from its sessions grouped (`SessionGroup`), their charges
    grouped (`ChargeGroup`), and the durations behind the medians in microseconds: confirmation −
    creation of each filled booked session, start − creation of each booked session."""
    groups = list(groups)
    booked = [group for group in groups if not group.on_demand]
    requested = sum(group.sessions for group in booked)
    cancelled = [group for group in booked if group.state is BookingState.CANCELLED]
    filled = sum(group.sessions for group in booked if group.filled)
    cancelled_unfilled = sum(group.sessions for group in cancelled if not group.filled)
    eligible = requested - cancelled_unfilled
    delivered = [group for group in groups if is_delivered(group.state)]
    video_calls = [group for group in groups if group.modality is Modality.VIDEO and group.had_call]
    calls = sum(group.sessions for group in video_calls)
    fallbacks = sum(group.sessions for group in video_calls if group.phone_fallback)

    outcomes: Counter[BookingState] = Counter()
    by_language: defaultdict[tuple[str, str], int] = defaultdict(int)
    sessions_by_language: defaultdict[tuple[str, str], int] = defaultdict(int)
    for group in booked:
        outcomes[group.state] += group.sessions
    for group in delivered:
        by_language[(group.country_code, group.applicant_language)] += group.billable_seconds
        sessions_by_language[(group.country_code, group.applicant_language)] += group.sessions

    cost: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    cost_sessions: defaultdict[tuple[str, str], int] = defaultdict(int)
    cost_seconds: defaultdict[tuple[str, str], int] = defaultdict(int)
    for charge in charges:
        if is_delivered(charge.state):
            key = (charge.country_code, charge.currency)
            cost[key] += charge.billable_cost
            cost_sessions[key] += charge.sessions
            cost_seconds[key] += charge.billable_seconds

    return Report(
        bounds=bounds,
        requested_sessions=requested,
        requested_seconds=sum(group.booked_seconds for group in booked),
        delivered_sessions=sum(group.sessions for group in delivered),
        delivered_seconds=sum(group.billable_seconds for group in delivered),
        filled_sessions=filled,
        fill_rate=filled / eligible if eligible else None,
        median_time_to_fill=median_microseconds(times_to_fill),
        median_lead_time=median_microseconds(lead_times),
        late_cancellations=sum(group.sessions for group in cancelled if group.cancelled_late),
        early_cancellations=sum(group.sessions for group in cancelled if not group.cancelled_late),
        outcomes=dict(outcomes),
        calls=calls,
        phone_fallbacks=fallbacks,
        phone_share=fallbacks / calls if calls else None,
        seconds_by_language=dict(by_language),
        sessions_by_language=dict(sessions_by_language),
        cost=dict(cost),
        cost_sessions=dict(cost_sessions),
        cost_seconds=dict(cost_seconds),
    )
