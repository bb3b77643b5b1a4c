"""The on-demand section of the report as tables (`rris.reports.domain.report_tables`): the
period's calls in one row, and their minutes by language and country, for the page and the
CSV and XLSX exports."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from rris.reports.domain.on_demand import OnDemandReport
from rris.reports.domain.report_tables import Column, Kind, Period, Table
from rris.reports.services.report_tables import CountryLabels, minutes_by_language_table


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds(), 1)


def on_demand_table(period: Period, figures: OnDemandReport) -> Table:
    """The period's on-demand calls: requests, answers, abandonments, speed of answer, minutes."""
    columns = (
        Column(_("Period"), Kind.PERIOD),
        Column(_("Requests"), Kind.COUNT),
        Column(_("Answered"), Kind.COUNT),
        Column(_("Abandoned"), Kind.COUNT),
        Column(_("Abandonment rate"), Kind.RATIO, rests_on=3),
        Column(_("Speed of answer, 50th percentile (seconds)"), Kind.SECONDS, rests_on=2),
        Column(_("Speed of answer, 90th percentile (seconds)"), Kind.SECONDS, rests_on=2),
        Column(_("Sessions delivered"), Kind.COUNT),
        Column(_("Minutes delivered"), Kind.MINUTES, rests_on=7),
    )
    row = (
        period,
        figures.requests,
        figures.answered,
        figures.abandoned,
        figures.abandonment_rate,
        _seconds(figures.answer_p50),
        _seconds(figures.answer_p90),
        figures.delivered_sessions,
        figures.delivered_minutes,
    )
    note = _(
        "An on-demand call counts in the period it started in: when an interpreter answered it, or when it was "
        "requested if nobody did. The abandonment rate is the calls given up before an answer over the calls "
        "answered or given up; the speed of answer runs from the request to the interpreter's answer."
    )
    return Table("on_demand", _("On-demand calls"), columns, (row,), note)


def on_demand_languages_table(figures: OnDemandReport, countries: CountryLabels) -> Table:
    """Delivered on-demand sessions and their billed minutes by country and applicant's language."""
    return minutes_by_language_table(
        "on_demand_languages",
        _("On-demand minutes by language and country"),
        figures.seconds_by_language,
        figures.sessions_by_language,
        countries,
        billing_note(),
    )


def billing_note() -> str:
    """What the page and the files say about how on-demand sessions are billed."""
    return _(
        "On-demand sessions are billed like every other session (the time officer and interpreter were in the "
        "call together, or from the answer to the hang-up when the call left no record) and are included in "
        "what each country owes the pool."
    )
