"""The coordinators' and focal points' report: who may see which countries, the figures of a
period, its month-by-month trend, utilisation, the tables and charts, and the exports.

Scoping is decided here, from `rris.access.domain.permissions.reach`: a focal point's report is
always their own country's, whatever the filter asks; the pool's managers see every country
and the interpreters' utilisation. A report or export that covers more than one country is
*cross-country* and its exports hide small counts (`rris.reports.domain.report_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.domain.permissions import Actor, Capability, ReachKind, can, reach
from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.calls.domain.call_presence import rounded_minutes
from rris.common.services.wording import current_locale, language_name, region_label
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.geography import Country
from rris.reports.domain.on_demand import OnDemandReport
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.report_tables import Period, Table
from rris.reports.domain.reports import Report
from rris.reports.domain.utilisation import bucket_labels, distribution
from rris.reports.integrations import charts
from rris.reports.integrations.report_files import table_csv, workbook
from rris.reports.queries.on_demand import on_demand_report
from rris.reports.queries.utilisation import NamedUtilisation, pool_utilisation
from rris.reports.services.on_demand_tables import on_demand_languages_table, on_demand_table
from rris.reports.services.report_tables import (
    CountryLabels,
    cost_table,
    distribution_table,
    interpreters_table,
    languages_table,
    outcomes_table,
    summary_table,
    trend_table,
)
from rris.reports.services.rollups import (
    PeriodReport,
    closed_months,
    forget_ended_months_days,
    kept_days_of,
    known_months,
    month_report,
    period_report,
)
from rris.timeutil import to_local

TREND_MONTHS = 12
_READERS = (Role.FOCAL_POINT, Role.COORDINATOR, Role.ADMIN)  # the roles that may read reports
EXPORTED_TABLES = (
    "summary",
    "trend",
    "outcomes",
    "languages",
    "cost",
    "on_demand",
    "on_demand_languages",
    "utilisation",
)


class ReportNotAllowed(PermissionError):
    """The actor may not read reports."""


@dataclass(frozen=True)
class ReportView:
    """Everything one report page or export shows."""

    report_filter: ReportFilter
    report: Report
    on_demand: OnDemandReport
    trend: list[tuple[date, Report]]
    utilisation: list[NamedUtilisation] | None  # None: the viewer does not manage the pool
    countries: CountryLabels
    cross_country: bool

    def tables(self, exported: bool = False) -> dict[str, Table]:
        """The report's tables by key; for an export, without names and with small counts
        hidden when it covers more than one country."""
        tables = [
            summary_table(report_period(self.report_filter), self.report),
            trend_table(self.trend),
            outcomes_table(self.report),
            languages_table(self.report, self.countries),
            cost_table(self.report, self.countries),
            on_demand_table(report_period(self.report_filter), self.on_demand),
            on_demand_languages_table(self.on_demand, self.countries),
        ]
        if self.utilisation is not None:
            tables.append(distribution_table(self.utilisation))
            if not exported:
                tables.append(interpreters_table(self.utilisation))
        if exported and self.cross_country:
            tables = [table.suppressed() for table in tables]
        return {table.key: table for table in tables}

    def notes(self) -> list[str]:
        """What every export states: the rules the figures follow and the country footnotes."""
        lines = [
            _(
                "A session counts in the period its start falls in (in %(zone)s); delivered time is the time "
                "an officer and an interpreter were in the call together, or the booked time for a completed "
                "session held outside the RRIS call.",
                zone=self.report_filter.zone_name,
            )
        ]
        lines.append(
            _(
                "Sessions requested, the fill rate, the time to fill, the lead time, cancellations and outcomes are "
                "those of sessions booked ahead; on-demand calls have their own figures. Delivered sessions and "
                "minutes, what each country owes and utilisation include on-demand sessions."
            )
        )
        if self.cross_country:
            lines.append(_("Counts from 1 to 4 are shown as <5 and the figures resting on them are left blank."))
        lines.extend(f"{name}: {note}" for name, note in sorted(self.countries.footnotes.items()))
        return lines


def pinned_country(actor: Actor) -> str | None:
    """The one country the actor's reports cover (a focal point's), or None for every country."""
    if not can(actor, Capability.VIEW_REPORTS):
        raise ReportNotAllowed
    extent = reach(actor)
    if extent.kind is ReachKind.EVERYTHING:
        return None
    if extent.kind is ReachKind.COUNTRY and extent.country_id is not None:
        return db.session.scalar(select(Country.code).where(Country.id == extent.country_id))
    raise ReportNotAllowed


def scoped_filter(actor: Actor, report_filter: ReportFilter) -> ReportFilter:
    """The filter as the actor may run it: a focal point's is pinned to their own country."""
    country = pinned_country(actor)
    return report_filter if country is None else replace(report_filter, country_code=country)


def build_report(actor: Actor, report_filter: ReportFilter, now: datetime) -> ReportView:
    """The report the actor asked for, within what they may see, as it stands at `now`."""
    scoped = scoped_filter(actor, report_filter)
    months = trend_filters(scoped)
    kept = known_months([month for _first, month in months], now)
    trend = [(first, month_report(month, kept)) for first, month in months]
    if months[-1][1] == scoped and scoped.first_day not in kept:
        # The open month is the trend's last month: its figures are computed once.
        figures = PeriodReport(trend[-1][1], on_demand_report(scoped))
    else:
        figures = period_report(scoped, now, kept)
    people = pool_utilisation(scoped, figures.booked) if can(actor, Capability.VIEW_POOL) else None
    return ReportView(
        report_filter=scoped,
        report=figures.report,
        on_demand=figures.on_demand,
        trend=trend,
        utilisation=people,
        countries=country_labels(),
        cross_country=scoped.country_code is None,
    )


@dataclass(frozen=True)
class PeriodFigures:
    """One period's figures without the trend, charts or names: what the JSON API answers."""

    report_filter: ReportFilter
    report: Report
    on_demand: OnDemandReport


def period_figures(actor: Actor, report_filter: ReportFilter, now: datetime) -> PeriodFigures:
    """The period's figures the actor asked for, within what they may see, as they stand at `now`."""
    scoped = scoped_filter(actor, report_filter)
    figures = period_report(scoped, now)
    return PeriodFigures(scoped, figures.report, figures.on_demand)


def keep_recent_months(now: datetime) -> int:
    """Compute and keep, ahead of anyone asking, the closed months of the trend each report reader
    would see now (in their zone, their country's for a focal point) and the open month's ended
    days, those missing or stale, and forget the days of months that have ended; how many
    months that covered, the open one counted once (kept figures are only read)."""
    readers = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(_READERS))).all()
    seen: set[tuple[str, str | None]] = set()
    for user in readers:
        actor = actor_of(user)
        if can(actor, Capability.VIEW_REPORTS):
            seen.add((user.zone_name, pinned_country(actor)))
    covered = 0
    for zone_name, country in sorted(seen, key=lambda pair: (pair[0], pair[1] or "")):
        last = to_local(now, zone_name).date()
        months = trend_filters(ReportFilter.month(last.year, last.month, zone_name, country_code=country))
        covered += len(closed_months([month for _first, month in months], now))
        kept_days_of(months[-1][1], now)
        covered += 1
        db.session.rollback()  # nothing left open between readers
    forget_ended_months_days(now)
    return covered


def trend_filters(report_filter: ReportFilter) -> list[tuple[date, ReportFilter]]:
    """The `TREND_MONTHS` calendar months ending with the one the period ends in, same narrowing."""
    months: list[tuple[date, ReportFilter]] = []
    year, month = report_filter.last_day.year, report_filter.last_day.month
    for _step in range(TREND_MONTHS):
        first = date(year, month, 1)
        months.append((first, replace(report_filter, first_day=first, last_day=Period.month_of(first).last)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def report_period(report_filter: ReportFilter) -> Period:
    """The run of days the report covers."""
    return Period(report_filter.first_day, report_filter.last_day)


def period_label(report_filter: ReportFilter) -> str:
    """'2026-03' for a calendar month, else '2026-03-01 – 2026-03-15' (file names; people read `period_text`)."""
    return report_period(report_filter).iso()


def period_text(report_filter: ReportFilter) -> str:
    """The period in the reader's language: 'March 2026', 'mart 2026.', '1–15 Mar 2026'."""
    return report_period(report_filter).text(current_locale())


def country_labels() -> CountryLabels:
    """Every country's name in the reader's language by code, and the footnotes names need."""
    labels = {code: region_label(code) for code in db.session.scalars(select(Country.code))}
    return CountryLabels(
        names={code: name for code, (name, _note) in labels.items()},
        footnotes={name: note for name, note in labels.values() if note},
    )


def charts_of(view: ReportView) -> dict[str, str]:
    """The SVG pictures: the monthly trend, the language-by-country heat map, the utilisation
    distribution (for the pool's managers). Each is drawn once for what it shows and kept
    (`rris.reports.integrations.charts`), so a closed month's page draws nothing again."""
    locale = current_locale()
    pictures = {
        "trend": charts.trend_chart(
            tuple(
                charts.TrendPoint(
                    Period.month_of(first).text(locale, short=True), report.requested_minutes, report.delivered_minutes
                )
                for first, report in view.trend
            ),
            _("Minutes requested"),
            _("Minutes delivered"),
            _("Minutes"),
            locale,
        )
    }
    seconds = view.report.seconds_by_language
    if seconds:
        countries = sorted({country for country, _language in seconds}, key=view.countries.name)
        languages = sorted({language for _country, language in seconds}, key=language_name)
        values = tuple(
            tuple(rounded_minutes(seconds.get((country, language), 0)) for country in countries)
            for language in languages
        )
        pictures["languages"] = charts.heat_map(
            tuple(language_name(code) for code in languages),
            tuple(view.countries.name(code) for code in countries),
            values,
            _("Minutes delivered"),
            locale,
        )
    if view.utilisation:
        counts, _no_time = distribution(person.figures for person in view.utilisation)
        pictures["utilisation"] = charts.distribution_chart(
            tuple(bucket_labels(locale)), tuple(counts), _("Utilisation"), _("Interpreters"), locale
        )
    return pictures


def export_csv(view: ReportView, key: str) -> str:
    """One exported table as CSV (KeyError for a table that is not exported)."""
    if key not in EXPORTED_TABLES:
        raise KeyError(key)
    return table_csv(view.tables(exported=True)[key], view.notes())


def export_xlsx(view: ReportView) -> bytes:
    """Every exported table in one workbook."""
    tables = view.tables(exported=True)
    heading = _("RRIS report, %(period)s", period=period_text(view.report_filter))
    return workbook([tables[key] for key in EXPORTED_TABLES if key in tables], heading, view.notes())
