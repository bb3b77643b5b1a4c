"""The on-demand section of the report: requests, answered, abandoned, abandonment rate, speed of
answer p50 and p90, and minutes by language and country billed as every session. Calls made
through the on-demand services on a moved clock, on SQLite and PostgreSQL; the database's
figures also checked against the same figures computed one call at a time."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import timedelta

import pytest

from rris.access.queries.actors import actor_of
from rris.extensions import db
from rris.ondemand.services.answering import hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat
from rris.reports.domain.on_demand import P50, P90, OnDemandReport, percentile_of, percentile_ranks
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.on_demand import on_demand_report, on_demand_report_from_rows
from tests import factories
from tests.ondemand.support import POLICY, answer, ask, available_interpreter
from tests.reports.on_demand_month import ON_DEMAND_SECONDS, SECOND, T0, on_demand_january

JANUARY = ReportFilter.month(2026, 1, "Europe/Belgrade")


def figures(report_filter: ReportFilter = JANUARY) -> OnDemandReport:
    report = on_demand_report(report_filter)
    assert report == on_demand_report_from_rows(report_filter)
    return report


def test_the_month_s_requests_answers_abandonments_speed_and_minutes(ctx):
    on_demand_january()
    report = figures()
    assert (report.requests, report.answered, report.abandoned) == (4, 3, 1)
    assert report.abandonment_rate == 0.25
    assert report.answer_p50 == timedelta(seconds=12)
    assert report.answer_p90 == timedelta(seconds=26.4)
    assert report.delivered_sessions == 2
    assert report.delivered_seconds == ON_DEMAND_SECONDS and report.delivered_minutes == 30
    assert report.seconds_by_language == {("RS", "pus"): ON_DEMAND_SECONDS}
    assert report.sessions_by_language == {("RS", "pus"): 2}


def test_the_report_s_filters_narrow_on_demand_calls_as_they_narrow_sessions(ctx):
    on_demand_january()
    assert figures(replace(JANUARY, language="srp")).requests == 4  # the officer's language matches too
    assert figures(replace(JANUARY, country_code="RS")).requests == 4
    nothing = OnDemandReport(speed_of_answer={P50: None, P90: None})
    assert figures(replace(JANUARY, country_code="AL")) == nothing
    assert figures(replace(JANUARY, language="prs")) == nothing
    assert figures(ReportFilter.month(2026, 2, "Europe/Belgrade")) == nothing


def test_percentiles_of_an_even_count_interpolate_between_the_two_closest_ranks_in_the_database(ctx):
    officer = actor_of(factories.caseworker("RS"))
    db.session.commit()
    mariam = available_interpreter(T0)
    start = T0
    for seconds in (7, 3, 15, 1, 9, 22):
        assert heartbeat(mariam.id, start, POLICY)
        ask(officer, start)
        call_id = answer(mariam, start + seconds * SECOND)
        mark_connected(call_id, start + (seconds + 1) * SECOND)
        hang_up(call_id, officer, start + (seconds + 60) * SECOND, POLICY)
        start += timedelta(minutes=2)
    report = figures()
    # Sorted 1, 3, 7, 9, 15, 22: p50 halfway between 7 and 9; p90 at rank 4.5 (from 0), halfway 15-22.
    assert report.answer_p50 == timedelta(seconds=8)
    assert report.answer_p90 == timedelta(seconds=18.5)
    assert (report.requests, report.answered, report.abandoned, report.abandonment_rate) == (6, 6, 0, 0.0)
    assert report.delivered_seconds == 6 * 60


@pytest.mark.parametrize(
    "values",
    [[5], [5, 9], [1, 2, 3], [10, 20, 30, 40], [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], list(range(0, 1_000_000, 7_919))],
)
@pytest.mark.parametrize("percent", [P50, P90])
def test_a_percentile_is_the_inclusive_linear_interpolation(values, percent):
    expected = values[0] if len(values) == 1 else statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
    assert percentile_of(values, percent) == timedelta(microseconds=round(expected))
    lower, upper = percentile_ranks(len(values), percent)
    assert 1 <= lower <= upper <= len(values)


def test_no_answered_call_has_no_speed_of_answer():
    assert percentile_of([], P50) is None
