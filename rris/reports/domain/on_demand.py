"""The figures of on-demand calls in a report's period. Pure.

The rules, stated once (the report page and exports repeat them to their readers):

- **Which calls.** An on-demand call belongs to the period its session starts in, as every
  session does (`rris.reports.domain.reports`): when an interpreter answered it, or when it was
  requested if nobody did.
- **Requests** are every such call; **answered** the ones an interpreter accepted; **abandoned**
  the ones the officer gave up on before anyone answered. The **abandonment rate** is abandoned
  over the calls that stopped waiting (answered + abandoned): a call still waiting has not yet
  had its outcome. None when no call stopped waiting.
- **Speed of answer** is answered − requested, over answered calls; its p50 and p90 are
  percentiles by linear interpolation between the closest ranks (as PostgreSQL's
  `percentile_cont` and numpy's default): with n values sorted, rank h = (n − 1) × p, the value
  at ⌊h⌋ plus the fraction of h beyond it times the step to the next. p50 is the median.
- **Minutes** are billed exactly as every session's (`rris.reports.domain.billing.billable`): a
  completed call bills the time officer and interpreter were in the call together by its summary,
  else its booked time, answer to hang-up. Its cost is in what its country owes the pool.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from rris.calls.domain.call_presence import rounded_minutes
from rris.enums import BookingState
from rris.reports.domain.billing import billable, is_delivered

P50 = 50
P90 = 90
PERCENTS = (P50, P90)


@dataclass(frozen=True, slots=True)
class OnDemandGroup:
    """On-demand calls of one country and language that ended alike, counted and summed: one row
    of a GROUP BY in the database, or of `group_calls` over `OnDemandRow`s."""

    country_code: str
    applicant_language: str
    state: BookingState
    answered: bool
    abandoned: bool
    has_summary: bool
    calls: int
    booked_seconds: int
    summary_seconds: int

    @property
    def billable_seconds(self) -> int:
        """Their delivered time, billed as any session's."""
        return billable(self.state, self.has_summary, self.summary_seconds, self.booked_seconds)


@dataclass(frozen=True, slots=True)
class OnDemandRow:
    """One on-demand call as the report needs it (for checking the database's grouping)."""

    country_code: str
    applicant_language: str
    state: BookingState
    booked_seconds: int
    summary_seconds: int | None  # the call summary's, None when the call left none
    answer_microseconds: int | None  # answered − requested; None when nobody answered
    abandoned: bool


@dataclass(frozen=True)
class OnDemandReport:
    """The period's on-demand figures (see the module for the rules)."""

    requests: int = 0
    answered: int = 0
    abandoned: int = 0
    speed_of_answer: Mapping[int, timedelta | None] = field(default_factory=dict)  # by percent
    delivered_sessions: int = 0
    delivered_seconds: int = 0
    seconds_by_language: dict[tuple[str, str], int] = field(default_factory=dict)
    sessions_by_language: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def abandonment_rate(self) -> float | None:
        decided = self.answered + self.abandoned
        return self.abandoned / decided if decided else None

    @property
    def answer_p50(self) -> timedelta | None:
        return self.speed_of_answer.get(P50)

    @property
    def answer_p90(self) -> timedelta | None:
        return self.speed_of_answer.get(P90)

    @property
    def delivered_minutes(self) -> int:
        return rounded_minutes(self.delivered_seconds)


def percentile_ranks(count: int, percent: int) -> tuple[int, int]:
    """The 1-based ranks of the two values a percentile lies between (equal at the top);
    `count` ≥ 1. The database picks the values at exactly these ranks."""
    lower = (count - 1) * percent // 100 + 1
    return lower, min(lower + 1, count)


def percentile(count: int, percent: int, by_rank: Mapping[int, int]) -> timedelta | None:
    """The `percent` percentile of `count` durations (microseconds) from the values at its two
    `percentile_ranks`, to the microsecond (half to even); None for no durations."""
    if count == 0:
        return None
    lower, upper = percentile_ranks(count, percent)
    beyond = Fraction((count - 1) * percent, 100) - (lower - 1)
    exact = by_rank[lower] + beyond * (by_rank[upper] - by_rank[lower])
    return timedelta(microseconds=round(exact))


def percentile_of(durations: Iterable[int], percent: int) -> timedelta | None:
    """`percentile` over all the durations at once (microseconds)."""
    values = sorted(durations)
    return percentile(len(values), percent, {rank: value for rank, value in enumerate(values, start=1)})


def group_calls(rows: Iterable[OnDemandRow]) -> list[OnDemandGroup]:
    """`rows` grouped as the database groups them for `on_demand_from_groups`."""
    totals: defaultdict[tuple[str, str, BookingState, bool, bool, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        key = (
            row.country_code,
            row.applicant_language,
            row.state,
            row.answer_microseconds is not None,
            row.abandoned,
            row.summary_seconds is not None,
        )
        totals[key][0] += 1
        totals[key][1] += row.booked_seconds
        totals[key][2] += row.summary_seconds or 0
    return [OnDemandGroup(*key, *total) for key, total in totals.items()]


def on_demand_from_groups(
    groups: Iterable[OnDemandGroup], speed_of_answer: Mapping[int, timedelta | None]
) -> OnDemandReport:
    """The figures from the calls grouped and the speed-of-answer percentiles by percent."""
    groups = list(groups)
    seconds: defaultdict[tuple[str, str], int] = defaultdict(int)
    sessions: defaultdict[tuple[str, str], int] = defaultdict(int)
    delivered = [group for group in groups if is_delivered(group.state)]
    for group in delivered:
        seconds[(group.country_code, group.applicant_language)] += group.billable_seconds
        sessions[(group.country_code, group.applicant_language)] += group.calls
    return OnDemandReport(
        requests=sum(group.calls for group in groups),
        answered=sum(group.calls for group in groups if group.answered),
        abandoned=sum(group.calls for group in groups if group.abandoned),
        speed_of_answer=dict(speed_of_answer),
        delivered_sessions=sum(group.calls for group in delivered),
        delivered_seconds=sum(group.billable_seconds for group in delivered),
        seconds_by_language=dict(seconds),
        sessions_by_language=dict(sessions),
    )


def compute_on_demand(rows: Iterable[OnDemandRow]) -> OnDemandReport:
    """The figures one call at a time (slow; for checking the database's)."""
    rows = list(rows)
    answers = [row.answer_microseconds for row in rows if row.answer_microseconds is not None]
    return on_demand_from_groups(group_calls(rows), {percent: percentile_of(answers, percent) for percent in PERCENTS})
