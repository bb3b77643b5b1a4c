"""The test run's throwaway PostgreSQL goes with its process, however that process is stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from deploy.local.ports import poll_until

ROOT = Path(__file__).resolve().parents[2]
# A process holding a cluster, as pytest holds the run's: it says where the cluster is, then waits
# on its standard input, which the test never closes, until a signal ends it.
HOLDER = """
import json, sys
from deploy.local.postgres import ThrowawayPostgres
with ThrowawayPostgres() as server:
    data = server._data
    pid = int((data / "postmaster.pid").read_text().split()[0])
    print(json.dumps({"dir": str(data.parent), "pid": pid}), flush=True)
    sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_to_the_process_holding_a_cluster_stops_its_server_and_deletes_its_files():
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        where = json.loads(holder.stdout.readline())
        assert _alive(where["pid"])
        holder.send_signal(signal.SIGTERM)
        assert holder.wait(timeout=60) == -signal.SIGTERM  # still ended by the signal
        assert poll_until(lambda: not _alive(where["pid"]), timeout=10)
        assert not Path(where["dir"]).exists()
    finally:
        holder.kill()
        holder.wait()
