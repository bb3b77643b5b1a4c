"""The figures of a period, from the kept figures of its closed months and of the open month's
days wherever it can (`rris.reports.domain.rollups` says how they add up), computed live otherwise.

A closed month's figures are read from its rollup while it is current; missing or stale, they
are computed live once and kept (committed here), unless a booking of the month changed while
they were computed, in which case they serve this request only. The open month (the one `now`
falls in) is kept the same way one day at a time, the days of it that have ended: a change to one
of their bookings bumps only its day, and only that day is counted again. Today and the days
ahead are counted live: bookings are made, offered and confirmed for them all day, and kept, each
of those writes would lock its day's rollup (the triggers' bump) until it commits, outside the
order in which the booking services take their locks. Any period that is not a run of whole
months up to the open one is computed live as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.reports.domain.on_demand import OnDemandReport
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.report_tables import Period
from rris.reports.domain.reports import Report
from rris.reports.domain.rollups import (
    MonthFigures,
    booked_of,
    filter_key,
    is_closed,
    is_open,
    merged,
    on_demand_of,
    report_of,
    whole_months,
)
from rris.reports.queries.on_demand import on_demand_report
from rris.reports.queries.reports import monthly_report
from rris.reports.queries.rollups import (
    day_rollups_of_ended_months,
    forget_rollups,
    kept_days,
    kept_months,
    month_figures,
    rollup_for,
    write_rollup,
)
from rris.timeutil import to_local


@dataclass(frozen=True)
class PeriodReport:
    """A period's figures; `booked` is each interpreter's booked microseconds when the period
    was made of kept months (None: utilisation sums them itself)."""

    report: Report
    on_demand: OnDemandReport
    booked: Mapping[int, int] | None = None


def month_filter(report_filter: ReportFilter, first_day: date) -> ReportFilter:
    """`report_filter`'s narrowing over the calendar month starting `first_day`."""
    return replace(report_filter, first_day=first_day, last_day=Period.month_of(first_day).last)


def closed_months(month_filters: Sequence[ReportFilter], now: datetime) -> dict[date, MonthFigures]:
    """The figures of those of `month_filters` (calendar months, one narrowing) that have ended
    by `now`, by first day: kept ones read, the others computed and kept."""
    closed = [month for month in month_filters if is_closed(month, now)]
    if not closed:
        return {}
    periods = [(month.first_day, month.last_day) for month in closed]
    found = kept_months(closed[0].zone_name, filter_key(closed[0]), periods)
    for month in closed:
        if month.first_day not in found:
            found[month.first_day] = _keep(month, now)
    return found


def known_months(month_filters: Sequence[ReportFilter], now: datetime) -> dict[date, MonthFigures]:
    """The figures of those of `month_filters` (calendar months, one narrowing) that have ended
    or are open at `now`, by first day: `closed_months`, and the open one from its days."""
    found = closed_months(month_filters, now)
    for month in month_filters:
        if is_open(month, now):
            found[month.first_day] = open_month(month, now)
    return found


def open_month(month: ReportFilter, now: datetime) -> MonthFigures:
    """The figures of the calendar month `month`, open at `now`: its ended days kept (read, or
    computed and kept), today and the days ahead counted live."""
    today = to_local(now, month.zone_name).date()
    parts = kept_days_of(month, now)
    parts.append(month_figures(replace(month, first_day=today)))
    return merged(parts)


def kept_days_of(month: ReportFilter, now: datetime) -> list[MonthFigures]:
    """The figures of the days of `month` that have ended by `now` (those before today), as parts
    that add up: kept ones read, the others computed and kept."""
    today = to_local(now, month.zone_name).date()
    days = [month.first_day + timedelta(days=step) for step in range((today - month.first_day).days)]
    if not days:
        return []
    found, parts = kept_days(month.zone_name, filter_key(month), days)
    parts.extend(_keep(day_filter(month, day), now) for day in days if day not in found)
    return parts


def day_filter(report_filter: ReportFilter, day: date) -> ReportFilter:
    """`report_filter`'s narrowing over the one day `day`."""
    return replace(report_filter, first_day=day, last_day=day)


def forget_ended_months_days(now: datetime) -> int:
    """Delete the kept days of months that have ended by `now` (their month is kept whole); how many."""
    ended = [
        rollup_id
        for rollup_id, zone_name, day in day_rollups_of_ended_months(now)
        if is_closed(month_filter(ReportFilter(day, day, zone_name), day.replace(day=1)), now)
    ]
    if ended:
        begin_write()
        forget_rollups(ended)
        db.session.commit()
    return len(ended)


def _keep(period: ReportFilter, now: datetime) -> MonthFigures:
    begin_write()
    rollup_id, version = rollup_for(period)
    db.session.commit()  # the rollup exists before its figures are read: a change from now on bumps it
    figures = month_figures(period)
    begin_write()
    if write_rollup(rollup_id, version, figures, now):
        db.session.commit()
    else:
        db.session.rollback()
    return figures


def month_report(month: ReportFilter, kept: Mapping[date, MonthFigures]) -> Report:
    """A calendar month's figures: its kept ones, else computed live."""
    figures = kept.get(month.first_day)
    return report_of(month.bounds, [figures]) if figures is not None else monthly_report(month)


def period_report(report_filter: ReportFilter, now: datetime, kept: Mapping[date, MonthFigures] = {}) -> PeriodReport:  # noqa: B006 (read only)
    """The period's figures: added up from its months' kept figures when it is a run of whole
    months that have all ended by `now` but the last, which may be open (`kept` may hold some
    already), else computed live."""
    months = whole_months(report_filter)
    if months is not None and month_filter(report_filter, months[-1]).bounds[0] <= now:
        missing = [month_filter(report_filter, first) for first in months if first not in kept]
        figures = {**kept, **known_months(missing, now)}
        parts = [figures[first] for first in months]
        return PeriodReport(report_of(report_filter.bounds, parts), on_demand_of(parts), booked_of(parts))
    return PeriodReport(monthly_report(report_filter), on_demand_report(report_filter))
