"""`python -m benchmarks --quick` runs end to end and prints only well-formed JSON lines.

Performance is measured by `make bench`, never asserted here: no timing is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import PostgresUnavailable, find_bindir

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 360  # the on-demand part adds its stream, connections and live pages on each backend
pytestmark = pytest.mark.timeout(TIMEOUT_SECONDS + 60)  # the quick run is one fixture's setup

# (bench, metric) pairs every backend must report.
EXPECTED = {
    ("pool_load", "seconds"),
    ("pool_load", "interpreters"),
    ("pool_load", "bookings"),
    ("candidate_search", "p50"),
    ("candidate_search", "p95"),
    ("candidate_search", "p99"),
    ("candidate_search", "floor_p50"),
    ("candidate_search", "floor_p95"),
    ("candidate_search", "ratio_p50"),
    ("candidate_search", "ratio_p95"),
    ("candidate_search", "statements_mean"),
    ("candidate_search", "rows_mean"),
    ("candidate_search", "rows_p95"),
    ("assess", "p95"),
    ("suggestions", "p50"),
    ("suggestions", "p95"),
    ("suggest_slots", "p95"),
    ("throughput", "confirmed_per_second"),
    ("throughput", "confirmed"),
    ("throughput", "unexpected_responses"),
    ("throughput", "client_errors"),
    ("http_post_booking", "p95"),
    ("http_get_offers", "p95"),
    ("http_accept_offer", "p95"),
    ("throughput", "cpu_ms_per_confirmed"),
    ("throughput_floor", "inserts_per_second"),
    ("throughput_floor", "client_errors"),
    ("throughput_floor", "confirmed_percent_of_floor"),
    ("throughput_deployed", "confirmed_per_second"),
    ("throughput_deployed", "cpu_ms_per_confirmed"),
    ("deployed_http_post_booking", "p95"),
    ("deployed_http_accept_offer", "p95"),
    ("api_rate_limit", "overhead_p50"),
    ("outbox_load", "notifications"),
    ("outbox_lateness", "p50"),
    ("outbox_lateness", "p99"),
    ("outbox_lateness", "not_sent"),
    ("outbox_lateness", "start_min"),
    ("outbox_lateness", "start_max"),
    ("outbox_drain", "messages_per_second"),
    ("outbox_drain", "floor_messages_per_second"),
    ("outbox_drain", "ratio_to_floor"),
    ("outbox_drain", "cpu_per_message"),
    ("outbox_drain", "floor_cpu_per_message"),
    ("outbox_memory", "peak"),
    ("outbox", "duplicates"),
}

# (bench, metric) pairs the on-demand benchmark reports on every backend, on the same pool with a
# tenth of it available now and the stream's size stated.
ONDEMAND_EXPECTED = {
    ("ondemand_ring", "p50"),
    ("ondemand_ring", "p95"),
    ("ondemand_queued_ring", "p50"),
    ("ondemand_queued_ring", "p95"),
    ("ondemand_heartbeat", "p50"),
    ("ondemand_upkeep", "p95"),
    ("ondemand_requests", "ringing"),
    ("ondemand_requests", "queued"),
    ("ondemand_requests", "answered"),
    ("ondemand_connect", "accept_to_connected_p50"),
    ("ondemand_connect", "accept_to_connected_p95"),
    ("ondemand_connect", "direct_p50"),
    ("ondemand_connect", "direct_p95"),
    ("ondemand_connect", "ratio_p50"),
    ("ondemand_connect", "ratio_p95"),
    ("ondemand_connect", "officer_told_p50"),
    ("ondemand_connect", "form_accept_to_connected_p50"),
    ("ondemand_connect", "form_officer_told_p50"),
    ("ondemand_connect", "form_ratio_p50"),
    ("ondemand_ring_page", "p50"),
    ("ondemand_ring_page", "p95"),
}
ONDEMAND_PREFIX = "ondemand_"
QUICK_ONDEMAND_SIZE = {"bookings": 5000, "interpreters": 200, "languages": 30, "available": 20, "requests": 30}

# (bench, metric) pairs the monthly report's benchmark reports on every backend, on its own data.
REPORT_EXPECTED = {
    ("report_data", "generation_seconds"),
    ("report_data", "bookings"),
    ("report_data", "assignments"),
    ("report_data", "call_summaries"),
    ("monthly_report_pool", "p50"),
    ("monthly_report_pool", "p95"),
    ("monthly_report_pool", "bookings_in_month"),
    ("monthly_report_country", "p50"),
    ("monthly_report_country", "p95"),
    ("monthly_report_country", "bookings_in_month"),
    ("report_page_month", "p50"),
    ("report_page_open_month", "p50"),
    ("report_page_open_month_changed_day", "p50"),
    ("report_open_days_fill", "seconds"),
    ("report_charts_month", "p50"),
    ("report_charts_month_kept", "p50"),
    ("report_xlsx_year", "p50"),
    ("report_xlsx_year", "bytes"),
    ("report_rollup_fill", "seconds"),
    ("report_rollup_fill", "rows"),
}
# The report part's benches (the monthly figures, and whatever else times the reports on its data).
REPORT_BENCH_PREFIXES = ("report_", "monthly_report_")
QUICK_REPORT_SIZE = {"bookings": 20000, "interpreters": 150, "languages": 40}

# (bench, metric) pairs the call benchmarks report once per run (on SQLite, with no backend field).
CALL_EXPECTED = {
    ("call_join", "service_p50"),
    ("call_join", "service_p95"),
    ("call_join", "direct_p50"),
    ("call_join", "direct_p95"),
    ("call_join", "ratio_p50"),
    ("call_join", "ratio_p95"),
    ("signaling_capacity", "memory_per_idle_connection"),
    ("signaling_capacity", "relay_p50"),
    ("signaling_capacity", "relay_p99"),
    ("signaling_capacity", "relay_max"),
    ("signaling_capacity", "relay_lost"),
    ("signaling_capacity", "server_cpu"),
    ("signaling_capacity", "records_written"),
    ("signaling_capacity", "rooms_held"),
    ("signaling_capacity", "join_failures"),
    ("call_chromium", "first_frame_p50"),
    ("call_chromium", "first_frame_p95"),
    ("call_phone", "phone_to_call_p50"),
    ("call_phone", "phone_to_call_p95"),
    ("call_phone", "call_to_phone_p50"),
    ("call_phone", "call_to_phone_p95"),
    ("call_phone", "step_late_percent"),
    ("call_phone", "step_cpu_per_leg"),
    ("call_phone", "max_legs"),
    ("call_phone", "cpu_per_leg"),
}
QUICK_CALL_SIZES = {
    "call_join": {"runs": 5, "warmups": 1, "peers": 2},
    "signaling_capacity": {"rooms": 20, "clients": 40},
    "call_chromium": {"runs": 2, "peers": 2},
    "call_phone": {"bursts": 5, "max_legs": 2},
}


def postgres_installed() -> bool:
    try:
        find_bindir()
    except PostgresUnavailable:
        return False
    return True


@pytest.fixture(scope="module")
def quick_run() -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    """Run the quick benchmarks once for every test of this module."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return result, lines


def test_every_stdout_line_is_a_measurement(quick_run):
    result, lines = quick_run
    assert lines, result.stderr[-2000:]
    for line in lines:
        assert isinstance(line, dict)
        assert {"bench", "metric", "value", "unit"} <= line.keys(), line
        assert isinstance(line["value"], int | float), line


def test_every_backend_reports_every_metric_with_its_data_size(quick_run):
    result, lines = quick_run
    backends = ["sqlite", "postgresql"] if postgres_installed() else ["sqlite"]
    assert result.returncode == 0 or not postgres_installed(), result.stderr[-2000:]
    for backend in backends:
        pool = [
            line
            for line in lines
            if line.get("backend") == backend
            and not line["bench"].startswith((*REPORT_BENCH_PREFIXES, ONDEMAND_PREFIX))
        ]
        reported = {(line["bench"], line["metric"]) for line in pool}
        assert reported >= EXPECTED, (backend, sorted(EXPECTED - reported), result.stderr[-2000:])
        sizes = {json.dumps(line["data"], sort_keys=True) for line in pool}
        assert sizes == {json.dumps({"bookings": 5000, "interpreters": 200, "languages": 30}, sort_keys=True)}


def test_every_backend_times_the_monthly_report_on_a_year_of_bookings(quick_run):
    result, lines = quick_run
    backends = ["sqlite", "postgresql"] if postgres_installed() else ["sqlite"]
    for backend in backends:
        report = [
            line for line in lines if line.get("backend") == backend and line["bench"].startswith(REPORT_BENCH_PREFIXES)
        ]
        reported = {(line["bench"], line["metric"]) for line in report}
        assert reported >= REPORT_EXPECTED, (backend, sorted(REPORT_EXPECTED - reported), result.stderr[-2000:])
        assert all(line["data"] == QUICK_REPORT_SIZE for line in report)
        by_key = {(line["bench"], line["metric"]): line["value"] for line in report}
        assert by_key[("report_data", "bookings")] == QUICK_REPORT_SIZE["bookings"]
        assert by_key[("monthly_report_pool", "samples")] >= 20
        assert (
            0
            < by_key[("monthly_report_country", "bookings_in_month")]
            < by_key[("monthly_report_pool", "bookings_in_month")]
        )


def test_every_backend_rings_queues_and_connects_on_demand_calls_with_their_data_size(quick_run):
    result, lines = quick_run
    backends = ["sqlite", "postgresql"] if postgres_installed() else ["sqlite"]
    for backend in backends:
        ondemand = [
            line for line in lines if line.get("backend") == backend and line["bench"].startswith(ONDEMAND_PREFIX)
        ]
        reported = {(line["bench"], line["metric"]) for line in ondemand}
        assert reported >= ONDEMAND_EXPECTED, (backend, sorted(ONDEMAND_EXPECTED - reported), result.stderr[-2000:])
        assert all(line["data"] == QUICK_ONDEMAND_SIZE for line in ondemand)
        by_key = {(line["bench"], line["metric"]): line["value"] for line in ondemand}
        # The stream exercised both ways to a ring: at once, and after waiting in a queue.
        assert by_key[("ondemand_ring", "samples")] > 0
        assert by_key[("ondemand_queued_ring", "samples")] > 0
        assert by_key[("ondemand_requests", "answered")] > 0
        assert by_key[("ondemand_connect", "direct_p50")] > 0
        assert by_key[("ondemand_ring_page", "samples")] > 0  # rings reached the interpreters' live pages


def test_the_quick_clients_confirm_bookings_without_unexpected_answers(quick_run):
    _result, lines = quick_run
    by_key = {(line.get("backend"), line["bench"], line["metric"]): line["value"] for line in lines}
    assert by_key[("sqlite", "throughput", "confirmed")] > 0
    assert by_key[("sqlite", "throughput", "unexpected_responses")] == 0
    assert by_key[("sqlite", "throughput", "client_errors")] == 0
    assert by_key[("sqlite", "throughput", "confirmed")] == by_key[("sqlite", "throughput", "confirmed_in_database")]
    assert by_key[(None, "benchmarks", "wall_time")] >= 0


def test_the_floor_under_bookings_per_second_is_measured_beside_them(quick_run):
    _result, lines = quick_run
    by_key = {(line.get("backend"), line["bench"], line["metric"]): line["value"] for line in lines}
    assert by_key[("sqlite", "throughput_floor", "inserts_per_second")] > 0
    assert by_key[("sqlite", "throughput_floor", "client_errors")] == 0  # the guard refused none of its own rows
    assert by_key[("sqlite", "throughput_floor", "confirmed_percent_of_floor")] > 0


def test_bookings_per_second_are_also_measured_with_the_portal_as_deployed(quick_run):
    _result, lines = quick_run
    deployed = [line for line in lines if line["bench"] == "throughput_deployed" and line.get("backend") == "sqlite"]
    by_metric = {line["metric"]: line for line in deployed}
    assert by_metric["confirmed"]["value"] > 0
    assert by_metric["unexpected_responses"]["value"] == 0
    assert by_metric["client_errors"]["value"] == 0
    assert by_metric["confirmed_per_second"]["portal"].startswith("gunicorn")  # the line says how it was served
    assert by_metric["confirmed_per_second"]["workers"] >= 1


def test_the_quick_outbox_sends_every_due_reminder_once(quick_run):
    _result, lines = quick_run
    by_key = {(line.get("backend"), line["bench"], line["metric"]): line["value"] for line in lines}
    assert by_key[("sqlite", "outbox_load", "notifications")] == 500
    assert by_key[("sqlite", "outbox_lateness", "samples")] > 0
    assert by_key[("sqlite", "outbox_lateness", "not_sent")] == 0
    assert by_key[("sqlite", "outbox", "duplicates")] == 0
    assert by_key[("sqlite", "outbox", "received")] == by_key[("sqlite", "outbox", "sent_in_database")]


def test_the_call_benchmarks_run_once_with_their_data_size(quick_run):
    result, lines = quick_run
    calls = [line for line in lines if line["bench"] in QUICK_CALL_SIZES]
    assert {(line["bench"], line["metric"]) for line in calls} >= CALL_EXPECTED, result.stderr[-2000:]
    for line in calls:
        assert "backend" not in line, line
        assert line["data"] == QUICK_CALL_SIZES[line["bench"]], line
        assert line["database"] == "sqlite", line


def test_the_quick_signalling_service_relays_every_candidate_and_records_every_join(quick_run):
    _result, lines = quick_run
    by_key = {(line["bench"], line["metric"]): line for line in lines if "backend" not in line}
    clients = QUICK_CALL_SIZES["signaling_capacity"]["clients"]
    assert by_key[("signaling_capacity", "relay_messages")]["value"] > 0
    assert by_key[("signaling_capacity", "relay_lost")]["value"] == 0
    assert by_key[("signaling_capacity", "errors_received")]["value"] == 0
    assert by_key[("signaling_capacity", "rooms_held")]["value"] == QUICK_CALL_SIZES["signaling_capacity"]["rooms"]
    assert by_key[("signaling_capacity", "join_failures")]["value"] == 0
    assert by_key[("signaling_capacity", "server_warnings")]["value"] == 0
    records = by_key[("signaling_capacity", "records_written")]
    assert records["value"] == records["closed"] == clients + 2  # and the warm-up room's two


def test_the_quick_phone_bridge_carries_its_legs_and_hears_every_burst(quick_run):
    _result, lines = quick_run
    phone = {line["metric"]: line for line in lines if line["bench"] == "call_phone"}
    bursts = QUICK_CALL_SIZES["call_phone"]["bursts"]
    assert phone["phone_to_call_samples"]["value"] == phone["call_to_phone_samples"]["value"] == bursts
    assert [line["legs"] for line in lines if line["metric"] == "step_late_percent"] == [1, 2]
    assert phone["server_warnings"]["value"] == 0
