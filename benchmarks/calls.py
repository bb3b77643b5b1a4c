"""The call service's benchmarks (issue 5), once per run on SQLite, not per backend.

- call_join: two aiortc peers join a room through the signalling service and connect, against
  the same peers swapping SDP in memory; p50/p95 of each and their ratio (aim: at most 1.3).
- signaling_capacity: 500 rooms of two idle clients in a `python -m signaling` subprocess;
  memory per idle connection (aim: under 100 KB) and candidate relay latency at ~500
  messages a second (aim: p99 under 20 ms).
- call_phone (issue 6): the phone bridge in a signalling subprocess; one-way delay each way
  (aim: p95 under 80 ms), CPU per phone leg, and the most legs before the audio to the phones
  arrives late (more than 1 % of frames over 20 ms behind).

Both write call records to a real, migrated SQLite database holding a small generated pool:
every room is one of its bookings, so the records are written rather than skipped.
All traffic stays on 127.0.0.1: the peers offer only 127.0.0.1 as ICE host candidate.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.call_capacity import CapacityPlan, run_signaling_capacity
from benchmarks.call_chromium import FULL_CHROMIUM_RUNS, QUICK_CHROMIUM_RUNS, run_chromium_join
from benchmarks.call_join import WARMUPS, run_call_join
from benchmarks.call_phone import FULL_PHONE, QUICK_PHONE, PhonePlan, run_phone_bridge
from benchmarks.call_rooms import pool_rooms
from benchmarks.environment import bench_app, dispose
from benchmarks.pool import DEFAULT_SEED, PoolSize, load_pool
from benchmarks.report import Reporter

POOL_INTERPRETERS = 50


@dataclass(frozen=True)
class CallPlan:
    """How many call starts to time, how big the capacity run is, and how far the phone legs go."""

    join_runs: int
    capacity: CapacityPlan
    chromium_runs: int
    phone: PhonePlan

    @property
    def pool(self) -> PoolSize:
        """A pool with a booking with an interpreter for every room, and to spare."""
        rooms = max(self.join_runs + WARMUPS, self.capacity.rooms + 1, self.phone.rooms)
        return PoolSize(POOL_INTERPRETERS, 2 * rooms + 100, DEFAULT_SEED)


FULL_CALLS = CallPlan(
    join_runs=40,
    capacity=CapacityPlan(rooms=500, idle_seconds=3.0, relay_seconds=10),
    chromium_runs=FULL_CHROMIUM_RUNS,
    phone=FULL_PHONE,
)
QUICK_CALLS = CallPlan(
    join_runs=5,
    capacity=CapacityPlan(rooms=20, idle_seconds=0.5, relay_seconds=2),
    chromium_runs=QUICK_CHROMIUM_RUNS,
    phone=QUICK_PHONE,
)


def run_calls(reporter: Reporter, plan: CallPlan) -> None:
    """Run the aiortc and capacity benchmarks on a fresh SQLite database, then Chromium's."""
    with tempfile.TemporaryDirectory(prefix="rris-bench-calls-") as folder:
        core = bench_app(Path(folder) / "instance", f"sqlite:///{Path(folder) / 'calls.sqlite3'}")
        try:
            with core.app_context():
                load_pool(plan.pool)
                join_rooms = pool_rooms(plan.join_runs + WARMUPS, "join")
                capacity_rooms = pool_rooms(plan.capacity.rooms + 1, "capacity")
                phone_rooms = pool_rooms(plan.phone.rooms, "phone")
            run_call_join(core, reporter, join_rooms)
            run_signaling_capacity(core, Path(folder), reporter, capacity_rooms, plan.capacity)
            run_phone_bridge(core, Path(folder), reporter, phone_rooms, plan.phone)
        finally:
            dispose(core)
    run_chromium_join(reporter, plan.chromium_runs)  # its own namespace, services and database
