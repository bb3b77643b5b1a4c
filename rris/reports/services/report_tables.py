"""The report's figures as titled, translated tables (`rris.reports.domain.report_tables`): what the page
shows under its charts and what the CSV and XLSX exports carry. Nothing here is personal:
the interpreters' own table is built for the page only and never exported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from rris.calls.domain.call_presence import rounded_minutes
from rris.common.domain import formats
from rris.common.services.wording import current_locale, label, language_name
from rris.enums import BookingState
from rris.reports.domain.report_tables import Column, Kind, Period, Row, Table
from rris.reports.domain.reports import Report
from rris.reports.domain.utilisation import bucket_labels, distribution, pool_ratio
from rris.reports.queries.utilisation import NamedUtilisation

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class CountryLabels:
    """Country codes to the names every page uses, and the footnotes those names need."""

    names: Mapping[str, str]
    footnotes: Mapping[str, str]

    def name(self, code: str) -> str:
        return self.names.get(code, code)


def _figure_columns(first: str) -> tuple[Column, ...]:
    return (
        Column(first, Kind.PERIOD),
        Column(_("Sessions requested"), Kind.COUNT),
        Column(_("Minutes requested"), Kind.MINUTES, rests_on=1),
        Column(_("Sessions delivered"), Kind.COUNT),
        Column(_("Minutes delivered"), Kind.MINUTES, rests_on=3),
        Column(_("Sessions filled"), Kind.COUNT),
        Column(_("Fill rate"), Kind.RATIO, rests_on=5),
        Column(_("Median time to fill (hours)"), Kind.HOURS, rests_on=5),
        Column(_("Median lead time (days)"), Kind.DAYS, rests_on=1),
        Column(_("Late cancellations"), Kind.COUNT),
        Column(_("Early cancellations"), Kind.COUNT),
        Column(_("Interpreter no-shows"), Kind.COUNT),
        Column(_("Applicant no-shows"), Kind.COUNT),
        Column(_("Video calls held"), Kind.COUNT),
        Column(_("Calls that fell back to telephone"), Kind.COUNT),
        Column(_("Telephone fallback share"), Kind.RATIO, rests_on=14),
    )


def _figure_row(first: Period, report: Report) -> Row:
    time_to_fill = report.median_time_to_fill
    lead_time = report.median_lead_time
    return (
        first,
        report.requested_sessions,
        report.requested_minutes,
        report.delivered_sessions,
        report.delivered_minutes,
        report.filled_sessions,
        report.fill_rate,
        round(time_to_fill.total_seconds() / SECONDS_PER_HOUR, 1) if time_to_fill is not None else None,
        round(lead_time.total_seconds() / SECONDS_PER_DAY, 1) if lead_time is not None else None,
        report.late_cancellations,
        report.early_cancellations,
        report.interpreter_no_shows,
        report.applicant_no_shows,
        report.calls,
        report.phone_fallbacks,
        report.phone_share,
    )


def summary_table(period: Period, report: Report) -> Table:
    """The period's headline figures in one row."""
    return Table("summary", _("Summary"), _figure_columns(_("Period")), (_figure_row(period, report),))


def trend_table(months: Sequence[tuple[date, Report]]) -> Table:
    """The same figures month by month."""
    rows = tuple(_figure_row(Period.month_of(first_day), report) for first_day, report in months)
    return Table("trend", _("Month by month"), _figure_columns(_("Month")), rows)


def outcomes_table(report: Report) -> Table:
    """Sessions per outcome (state), in the state list's order, with their share of all sessions."""
    total = report.requested_sessions
    rows = tuple(
        (label(state), count, count / total if total else None)
        for state in BookingState
        if (count := report.outcomes.get(state, 0))
    )
    columns = (Column(_("Outcome")), Column(_("Sessions"), Kind.COUNT), Column(_("Share"), Kind.RATIO, rests_on=1))
    return Table("outcomes", _("Outcomes"), columns, rows)


def languages_table(report: Report, countries: CountryLabels) -> Table:
    """Delivered sessions and minutes by country and applicant's language, largest first."""
    return minutes_by_language_table(
        "languages",
        _("Minutes by language and country"),
        report.seconds_by_language,
        report.sessions_by_language,
        countries,
    )


def minutes_by_language_table(
    key: str,
    title: str,
    seconds_by_language: Mapping[tuple[str, str], int],
    sessions_by_language: Mapping[tuple[str, str], int],
    countries: CountryLabels,
    note: str = "",
) -> Table:
    """Delivered sessions and minutes per (country, applicant's language), by country, largest first."""
    rows = sorted(
        (
            (
                countries.name(country),
                language_name(language),
                sessions_by_language[pair],
                rounded_minutes(seconds),
            )
            for pair, seconds in seconds_by_language.items()
            for country, language in [pair]
        ),
        key=lambda row: (row[0], -row[3], row[1]),
    )
    columns = (
        Column(_("Country")),
        Column(_("Language")),
        Column(_("Sessions delivered"), Kind.COUNT),
        Column(_("Minutes delivered"), Kind.MINUTES, rests_on=2),
    )
    return Table(key, title, columns, tuple(rows), note)


def cost_table(report: Report, countries: CountryLabels) -> Table:
    """What each country owes the pool, per currency (never converted)."""
    rows = tuple(
        (
            countries.name(country),
            currency,
            report.cost_sessions[key],
            rounded_minutes(report.cost_seconds[key]),
            amount,
        )
        for key, amount in sorted(report.cost.items(), key=lambda item: (countries.name(item[0][0]), item[0][1]))
        for country, currency in [key]
    )
    columns = (
        Column(_("Country")),
        Column(_("Currency")),
        Column(_("Sessions billed"), Kind.COUNT),
        Column(_("Interpreter minutes billed"), Kind.MINUTES, rests_on=2),
        Column(_("Amount owed"), Kind.MONEY, rests_on=2, currency_in=1),
    )
    note = _(
        "Each interpreter on a delivered session bills its delivered time at their own hourly rate: "
        "seconds × rate ÷ 3600, rounded to the cent (half up) per session and interpreter, then summed. "
        "Currencies are not converted."
    )
    return Table("cost", _("What each country owes the pool"), columns, rows, note)


def distribution_table(people: Sequence[NamedUtilisation]) -> Table:
    """How many interpreters fall in each utilisation band (no names)."""
    counts, no_time = distribution(person.figures for person in people)
    rows: list[Row] = [(band, count) for band, count in zip(bucket_labels(current_locale()), counts, strict=True)]
    rows.append((_("offered no time"), no_time))
    ratio = pool_ratio(person.figures for person in people)
    note = _("Booked hours over the hours each interpreter offered in the period.")
    if ratio is not None:
        pool_share = _("Pool utilisation: %(percent)s.", percent=formats.percent(ratio, current_locale()))
        note = f"{note} {pool_share}"
    columns = (Column(_("Utilisation")), Column(_("Interpreters"), Kind.COUNT))
    return Table("utilisation", _("Utilisation distribution"), columns, tuple(rows), note)


def interpreters_table(people: Sequence[NamedUtilisation]) -> Table:
    """Each interpreter's hours (the pool's managers' page only; never exported)."""
    rows = tuple(
        (
            person.name,
            round(person.figures.available_seconds / SECONDS_PER_HOUR, 1),
            round(person.figures.booked_seconds / SECONDS_PER_HOUR, 1),
            person.figures.ratio,
        )
        for person in sorted(people, key=lambda p: (-(p.figures.ratio or 0), p.name))
    )
    columns = (
        Column(_("Interpreter")),
        Column(_("Hours offered"), Kind.HOURS),
        Column(_("Hours booked"), Kind.HOURS),
        Column(_("Utilisation"), Kind.RATIO),
    )
    return Table("interpreters", _("Utilisation by interpreter"), columns, rows)
