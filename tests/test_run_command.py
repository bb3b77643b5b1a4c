"""`scripts/run_all.py` (what `make run` starts): all three services come up and one Ctrl-C stops them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.ports import free_port, http_status, poll_until

ROOT = Path(__file__).resolve().parent.parent


def child_groups(parent: int) -> list[int]:
    """PIDs of the children of `parent` that lead their own process group (the launcher's services)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid = int(text.split(" ", 1)[0])
        _state, ppid, pgrp = text.rsplit(")", 1)[1].split()[:3]
        if int(ppid) == parent and int(pgrp) == pid:
            found.append(pid)
    return sorted(found)


def group_exists(pgid: int) -> bool:
    """True while any process of group `pgid` is alive."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_all_starts_three_services_and_one_ctrl_c_stops_them(tmp_path: Path) -> None:
    port, signaling_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("RRIS_")}
    env.update(
        RRIS_INSTANCE_PATH=str(tmp_path / "instance"),
        RRIS_DATABASE_URL=f"sqlite:///{tmp_path / 'rris.sqlite3'}",
        RRIS_HOST="127.0.0.1",
        RRIS_PORT=str(port),
        RRIS_SIGNALING_PORT=str(signaling_port),
    )
    log = tmp_path / "run_all.log"
    with log.open("wb") as output:
        launcher = subprocess.Popen(
            [sys.executable, "scripts/run_all.py"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    groups: list[int] = []
    try:
        assert poll_until(
            lambda: "Press Ctrl-C to stop." in log.read_text() or launcher.poll() is not None, timeout=90, interval=0.1
        ), log.read_text()
        assert launcher.poll() is None, log.read_text()
        assert http_status(f"http://127.0.0.1:{port}/healthz") == 200
        assert http_status(f"http://127.0.0.1:{signaling_port}/healthz") == 200
        assert http_status(f"http://127.0.0.1:{port}/login") == 200
        groups = child_groups(launcher.pid)
        assert len(groups) == 3, f"expected portal, scheduler and signaling, found {groups}"

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=30) == 0, log.read_text()
        assert [pgid for pgid in groups if group_exists(pgid)] == [], log.read_text()
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        for pgid in groups:
            if group_exists(pgid):
                os.killpg(pgid, signal.SIGKILL)
