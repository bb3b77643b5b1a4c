"""A closed month's figures kept whole (`MonthFigures`) and how runs of them add up. Pure.

A calendar month is *closed* once it has ended in the report's zone; its figures are then kept
(`rris.reports.models.rollups`) until a change to one of its bookings makes them stale. What is
kept is exactly what the live queries return, grouped (sessions, charges, on-demand calls, each
interpreter's booked time), so adding the groups of several months gives the groups of their
union; and every value of each duration behind a median or percentile, sorted, because an order
statistic of a union cannot be had from the months' own medians: `value_at_rank` picks it from
the months' sorted samples by bisection, without merging them.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from rris.reports.domain.billing import ChargeGroup, is_delivered
from rris.reports.domain.on_demand import (
    PERCENTS,
    OnDemandGroup,
    OnDemandReport,
    on_demand_from_groups,
    percentile,
    percentile_ranks,
)
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.reports import Report, SessionGroup, report_from_groups

LEAD_TIME = "lead_time"  # start − creation of each session booked ahead
TIME_TO_FILL = "time_to_fill"  # confirmation − creation of each filled session booked ahead
ANSWER = "answer"  # answered − requested of each answered on-demand call
MEASURES = (LEAD_TIME, TIME_TO_FILL, ANSWER)
BOOKED = "booked"  # not a sample: each interpreter's booked microseconds (`packed_booked`)

Sample = Sequence[int]  # one measure's values of a month, sorted


@dataclass(frozen=True)
class MonthFigures:
    """Everything the report shows of one month and narrowing, in a form that adds up."""

    sessions: list[SessionGroup] = field(default_factory=list)
    charges: list[ChargeGroup] = field(default_factory=list)
    on_demand: list[OnDemandGroup] = field(default_factory=list)
    booked_microseconds: dict[int, int] = field(default_factory=dict)  # by interpreter: utilisation's booked time
    samples: Mapping[str, Sample] = field(default_factory=dict)


def compacted(groups: Iterable[SessionGroup]) -> list[SessionGroup]:
    """`groups` with those not delivered merged across country, language and call summary, which
    no figure reads of them (`report_from_groups` looks at where and how long only for delivered
    sessions): the same figures from about half the groups."""
    merged: dict[tuple[object, ...], SessionGroup] = {}
    kept: list[SessionGroup] = []
    for group in groups:
        if is_delivered(group.state):
            kept.append(group)
            continue
        plain = replace(group, country_code="", applicant_language="", has_summary=False, summary_seconds=0)
        key: tuple[object, ...] = (plain.state, plain.filled, plain.cancelled_late, plain.modality)
        key += (plain.had_call, plain.phone_fallback, plain.on_demand)
        if (known := merged.get(key)) is not None:
            plain = replace(
                known,
                sessions=known.sessions + plain.sessions,
                booked_seconds=known.booked_seconds + plain.booked_seconds,
            )
        merged[key] = plain
    return kept + list(merged.values())


def filter_key(report_filter: ReportFilter) -> str:
    """The narrowing of `report_filter` (not its period or zone) as one stable text."""
    parts = (
        ("country", report_filter.country_code),
        ("department", report_filter.department_id),
        ("language", report_filter.language),
        ("kind", report_filter.session_kind),
        ("modality", report_filter.modality),
    )
    return "&".join(f"{name}={'' if value is None else value}" for name, value in parts)


def whole_months(report_filter: ReportFilter) -> list[date] | None:
    """The first days of the calendar months the period is made of, or None when it does not
    start on a month's first day or end on a month's last."""
    first, last = report_filter.first_day, report_filter.last_day
    if first.day != 1 or (last + timedelta(days=1)).day != 1:
        return None
    months = []
    day = first
    while day <= last:
        months.append(day)
        day = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return months


def is_closed(report_filter: ReportFilter, now: datetime) -> bool:
    """Whether the whole period has ended by `now`."""
    return report_filter.bounds[1] <= now


def is_open(report_filter: ReportFilter, now: datetime) -> bool:
    """Whether `now` falls in the period."""
    start, end = report_filter.bounds
    return start <= now < end


def merged(parts: Sequence[MonthFigures]) -> MonthFigures:
    """The figures of the union of the periods of `parts` as one: groups side by side, samples
    merged in order, booked time summed."""
    measures = {measure for part in parts for measure in part.samples}
    return MonthFigures(
        [group for part in parts for group in part.sessions],
        [charge for part in parts for charge in part.charges],
        [call for part in parts for call in part.on_demand],
        booked_of(parts),
        {measure: sorted(value for part in parts for value in part.samples.get(measure, ())) for measure in measures},
    )


def value_at_rank(samples: Sequence[Sample], rank: int) -> int:
    """The `rank`-th smallest value (1-based) of all `samples` together (each sorted): the least
    value that at least `rank` of them do not exceed, found by bisecting the range of values."""
    low = min(sample[0] for sample in samples if sample)
    high = max(sample[-1] for sample in samples if sample)
    while low < high:
        middle = (low + high) // 2
        if sum(bisect_right(sample, middle) for sample in samples) >= rank:
            high = middle
        else:
            low = middle + 1
    return low


def middle_values(samples: Sequence[Sample]) -> list[int]:
    """The middle one (odd count) or two (even count) values of all `samples` together."""
    count = sum(len(sample) for sample in samples)
    if not count:
        return []
    ranks = sorted({(count + 1) // 2, count // 2 + 1})
    return [value_at_rank(samples, rank) for rank in ranks]


def speed_of_answer(samples: Sequence[Sample]) -> dict[int, timedelta | None]:
    """Each percentile of the answer times of all `samples` together, as `percentile` interpolates it."""
    count = sum(len(sample) for sample in samples)
    by_rank: dict[int, int] = {}
    if count:
        for percent in PERCENTS:
            for rank in percentile_ranks(count, percent):
                by_rank.setdefault(rank, value_at_rank(samples, rank))
    return {percent: percentile(count, percent, by_rank) for percent in PERCENTS}


def _samples(months: Sequence[MonthFigures], measure: str) -> list[Sample]:
    return [month.samples.get(measure, ()) for month in months]


def report_of(bounds: tuple[datetime, datetime], months: Sequence[MonthFigures]) -> Report:
    """The figures of the period `bounds` made of `months`."""
    return report_from_groups(
        bounds,
        [group for month in months for group in month.sessions],
        [charge for month in months for charge in month.charges],
        times_to_fill=middle_values(_samples(months, TIME_TO_FILL)),
        lead_times=middle_values(_samples(months, LEAD_TIME)),
    )


def on_demand_of(months: Sequence[MonthFigures]) -> OnDemandReport:
    """The on-demand figures of the period made of `months`."""
    return on_demand_from_groups(
        [group for month in months for group in month.on_demand], speed_of_answer(_samples(months, ANSWER))
    )


def booked_of(months: Iterable[MonthFigures]) -> dict[int, int]:
    """Each interpreter's booked microseconds over `months`."""
    total: dict[int, int] = {}
    for month in months:
        for interpreter_id, microseconds in month.booked_microseconds.items():
            total[interpreter_id] = total.get(interpreter_id, 0) + microseconds
    return total


def packed(values: Iterable[int], ordered: bool = True) -> bytes:
    """`values` (sorted, unless not `ordered`) as 64-bit little-endian integers (what `ReportRollupSample` stores)."""
    numbers = array("q", sorted(values) if ordered else values)
    if array("q", [1]).tobytes()[0] != 1:  # a big-endian machine
        numbers.byteswap()
    return numbers.tobytes()


def unpacked(data: bytes) -> array[int]:
    """The values `packed` wrote, sorted."""
    numbers = array("q")
    numbers.frombytes(data)
    if array("q", [1]).tobytes()[0] != 1:
        numbers.byteswap()
    return numbers


def packed_booked(booked: Mapping[int, int]) -> bytes:
    """Each interpreter's id and booked microseconds, in pairs, as `packed` integers."""
    return packed((number for pair in booked.items() for number in pair), ordered=False)


def unpacked_booked(data: bytes) -> dict[int, int]:
    """What `packed_booked` wrote."""
    numbers = unpacked(data)
    return dict(zip(numbers[::2], numbers[1::2], strict=True))
