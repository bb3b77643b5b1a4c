"""`python -m benchmarks --quick --only cluster` runs end to end: one signalling node against two,
one gunicorn worker against four behind nginx, every figure beside its ratio and its data size.

Its own module and its own run, not part of `test_benchmarks_smoke.py`'s `--quick` (which leaves
this part out): it starts PostgreSQL, two Redis servers, three signalling nodes, two gunicorn
portals and two nginx in turn, which takes about a minute on an idle machine. Performance is
measured by `make bench`, never asserted here: no timing is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 420
QUICK_ROOMS = 4
SIGNALING_SIZE = {"rooms": QUICK_ROOMS, "clients": 2 * QUICK_ROOMS}
HEADLINE = ("rooms_held", "relay_p50", "relay_p99", "memory_per_connection")

pytestmark = pytest.mark.timeout(TIMEOUT_SECONDS + 30)


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    """The quick cluster benchmark's JSON lines, run once for the module."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "cluster"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def by_metric(lines: list[dict], bench: str, **match: object) -> dict[str, dict]:
    return {
        line["metric"]: line
        for line in lines
        if line["bench"] == bench and all(line.get(key) == value for key, value in match.items())
    }


def test_one_node_and_two_hold_every_room_and_relay_every_candidate(lines):
    for nodes in (1, 2):
        run = by_metric(lines, "cluster_signaling", nodes=nodes)
        assert set(HEADLINE) <= run.keys(), (nodes, sorted(run))
        assert run["rooms_held"]["value"] == QUICK_ROOMS
        assert run["join_failures"]["value"] == 0
        assert run["relay_lost"]["value"] == 0
        assert run["errors_received"]["value"] == 0
        assert run["server_warnings"]["value"] == 0
        assert run["relay_p99"]["messages"] > 0
        assert all(line["data"] == SIGNALING_SIZE and line["database"] == "postgresql" for line in run.values())


def test_two_nodes_host_half_of_the_rooms_each_and_bridge_the_rest(lines):
    hosted = [line for line in lines if line["metric"] == "rooms_hosted"]
    assert {line["node"]: line["value"] for line in hosted} == {"node-1": QUICK_ROOMS // 2, "node-2": QUICK_ROOMS // 2}


def test_the_signalling_figures_are_side_by_side_as_two_nodes_over_one(lines):
    ratios = by_metric(lines, "cluster_signaling", of="two nodes over one")
    assert {f"{metric}_ratio" for metric in HEADLINE} <= ratios.keys()
    one, two = (by_metric(lines, "cluster_signaling", nodes=nodes) for nodes in (1, 2))
    for metric in HEADLINE:
        ratio = ratios[f"{metric}_ratio"]
        assert (ratio["base"], ratio["other"]) == (one[metric]["value"], two[metric]["value"])
        assert ratio["unit"] == "ratio" and ratio["data"] == SIGNALING_SIZE
    assert ratios["rooms_held_ratio"]["value"] == 1


def test_one_worker_and_four_confirm_bookings_through_nginx_and_compare(lines):
    for workers in (1, 4):
        run = by_metric(lines, "cluster_bookings", workers=workers)
        assert run["confirmed"]["value"] > 0
        assert run["confirmed"]["value"] == run["confirmed_in_database"]["value"]
        assert run["unexpected_responses"]["value"] == 0
        assert run["client_errors"]["value"] == 0
        assert all(line["proxy"] == "nginx+tls" and line["data"]["clients"] == 8 for line in run.values())
        assert all({"interpreters", "bookings"} <= line["data"].keys() for line in run.values())
    ratio = by_metric(lines, "cluster_bookings", of="four workers over one")["confirmed_per_second_ratio"]
    one, four = (by_metric(lines, "cluster_bookings", workers=w)["confirmed_per_second"]["value"] for w in (1, 4))
    assert (ratio["base"], ratio["other"]) == (one, four)
    assert ratio["value"] == pytest.approx(four / one, rel=0.01)
