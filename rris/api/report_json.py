"""A period's report as the JSON API answers it (`openapi_reports` describes it exactly).

Counts are exact, whatever their size: the answer goes only to the caller, who sees the same
figures on the report page (the exports hide small counts because files travel). Times are in
seconds, with minutes rounded as the page shows them; amounts are decimal strings to the cent
in their own currency, never converted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from rris.calls.domain.call_presence import rounded_minutes
from rris.enums import BookingState
from rris.reports.domain.on_demand import OnDemandReport
from rris.reports.domain.reports import Report
from rris.reports.services.reporting import PeriodFigures


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds()


def _time(seconds: int) -> dict[str, int]:
    return {"seconds": seconds, "minutes": rounded_minutes(seconds)}


def _by_language(seconds: Mapping[tuple[str, str], int], sessions: Mapping[tuple[str, str], int]) -> list[Any]:
    return [
        {"country": country, "language": language, "sessions": sessions[(country, language)], **_time(total)}
        for (country, language), total in sorted(seconds.items())
    ]


def _sessions(report: Report) -> dict[str, Any]:
    return {
        "requested": report.requested_sessions,
        "requested_time": _time(report.requested_seconds),
        "filled": report.filled_sessions,
        "fill_rate": report.fill_rate,
        "median_time_to_fill_seconds": _seconds(report.median_time_to_fill),
        "median_lead_time_seconds": _seconds(report.median_lead_time),
        "late_cancellations": report.late_cancellations,
        "early_cancellations": report.early_cancellations,
        "outcomes": {state.value: report.outcomes.get(state, 0) for state in BookingState},
    }


def _delivered(report: Report) -> dict[str, Any]:
    return {
        "sessions": report.delivered_sessions,
        "time": _time(report.delivered_seconds),
        "video_calls": report.calls,
        "phone_fallbacks": report.phone_fallbacks,
        "phone_share": report.phone_share,
        "by_language": _by_language(report.seconds_by_language, report.sessions_by_language),
    }


def _owed(report: Report) -> list[Any]:
    return [
        {
            "country": country,
            "currency": currency,
            "sessions": report.cost_sessions[(country, currency)],
            "interpreter_time": _time(report.cost_seconds[(country, currency)]),
            "amount": f"{amount:.2f}",
        }
        for (country, currency), amount in sorted(report.cost.items())
    ]


def _on_demand(figures: OnDemandReport) -> dict[str, Any]:
    return {
        "requests": figures.requests,
        "answered": figures.answered,
        "abandoned": figures.abandoned,
        "abandonment_rate": figures.abandonment_rate,
        "speed_of_answer_p50_seconds": _seconds(figures.answer_p50),
        "speed_of_answer_p90_seconds": _seconds(figures.answer_p90),
        "delivered_sessions": figures.delivered_sessions,
        "delivered_time": _time(figures.delivered_seconds),
        "by_language": _by_language(figures.seconds_by_language, figures.sessions_by_language),
    }


def report_json(figures: PeriodFigures) -> dict[str, Any]:
    """The report: its period and narrowing, the booked sessions, what was delivered, what each
    country owes, and the on-demand calls."""
    chosen = figures.report_filter
    return {
        "period": {
            "first_day": chosen.first_day.isoformat(),
            "last_day": chosen.last_day.isoformat(),
            "zone": chosen.zone_name,
        },
        "filter": {
            "country": chosen.country_code,
            "department": chosen.department_id,
            "language": chosen.language,
            "kind": chosen.session_kind.value if chosen.session_kind else None,
            "modality": chosen.modality.value if chosen.modality else None,
        },
        "booked_sessions": _sessions(figures.report),
        "delivered": _delivered(figures.report),
        "owed": _owed(figures.report),
        "on_demand": _on_demand(figures.on_demand),
    }
