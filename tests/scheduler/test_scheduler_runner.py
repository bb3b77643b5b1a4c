"""The scheduler process: `--check`, its job settings, and a clean stop on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.support.ports import poll_until
from tests.support.scheduler import migrate_database, scheduler_env

ROOT = Path(__file__).resolve().parents[2]


def run_check(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`python -m scheduler --check` against the SQLite database in `tmp_path`."""
    return subprocess.run(
        [sys.executable, "-m", "scheduler", "--check"],
        cwd=ROOT,
        env=scheduler_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    result = run_check(tmp_path)
    assert result.returncode == 2
    assert "not at the newest migration" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_runs_the_heartbeat_once_and_exits_0(tmp_path: Path) -> None:
    migrate_database(f"sqlite:///{tmp_path / 'rris.sqlite3'}", tmp_path)
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scheduler check: ok" in result.stdout


def test_runs_heartbeat_then_exits_0_on_sigterm(tmp_path: Path) -> None:
    migrate_database(f"sqlite:///{tmp_path / 'rris.sqlite3'}", tmp_path)
    log = tmp_path / "scheduler.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler"],
            cwd=ROOT,
            env=scheduler_env(tmp_path, RRIS_LOG_LEVEL="DEBUG"),
            stdout=output,
            stderr=output,
        )
    try:
        assert poll_until(
            lambda: "heartbeat: database reachable" in log.read_text() or process.poll() is not None, timeout=30
        ), log.read_text()
        assert process.poll() is None, log.read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, log.read_text()
        assert "Scheduler has been shut down" in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

