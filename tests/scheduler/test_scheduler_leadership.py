"""Exactly one scheduler acts: a second one waits on the database lock and takes over when the first dies."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import create_engine, text

from rris.app import create_app
from scheduler import runner
from scheduler.leadership import (
    LEADER_POLL_SECONDS,
    AdvisoryLeaderLock,
    FileLeaderLock,
    UnsharedLeaderLock,
    leader_lock_for,
)
from tests.conftest import settings_for_test
from tests.support.ports import poll_until
from tests.support.scheduler import migrate_database, scheduler_env

ROOT = Path(__file__).resolve().parents[2]
LEADING = "scheduler: leading"
WAITING = "scheduler: waiting for the leader lock (another scheduler is running)"
HEARTBEAT = "heartbeat: database reachable"
TAKEOVER_LIMIT_SECONDS = 60


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, fresh for the test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rris.sqlite3'}"
    name = "leader_" + request.function.__name__.removeprefix("test_")[:50]
    return request.getfixturevalue("postgres").create_database(name)


class SchedulerProcess:
    """`python -m scheduler` running in the background, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        output: IO[bytes]
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, stdout=output, stderr=output
            )

    def text(self) -> str:
        """Everything the process has logged so far."""
        return self.log.read_text()

    def logs(self, line: str, timeout: float) -> bool:
        """Wait until `line` is in the log; False on timeout or if the process ended first."""
        return poll_until(lambda: line in self.text() or self.process.poll() is not None, timeout) and (
            line in self.text()
        )

    def stop(self) -> None:
        """SIGKILL the process if it is still running (cleanup)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_a_second_scheduler_waits_and_takes_over_within_a_minute_of_kill_9(database_url: str, tmp_path: Path) -> None:
    migrate_database(database_url, tmp_path)
    env = scheduler_env(tmp_path, RRIS_DATABASE_URL=database_url, RRIS_LOG_LEVEL="DEBUG")
    started: list[SchedulerProcess] = []
    try:
        first = SchedulerProcess(env, tmp_path / "first.log")
        started.append(first)
        assert first.logs(LEADING, timeout=30), first.text()
        assert first.logs(HEARTBEAT, timeout=30), first.text()

        second = SchedulerProcess(env, tmp_path / "second.log")
        third = SchedulerProcess(env, tmp_path / "third.log")
        started += [second, third]
        assert second.logs(WAITING, timeout=30), second.text()
        assert third.logs(WAITING, timeout=30), third.text()

        # The health check takes no lock: it works while another scheduler leads.
        command = [sys.executable, "-m", "scheduler", "--check"]
        check = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr
        assert WAITING not in check.stderr

        # A waiting scheduler still stops cleanly on SIGTERM.
        third.process.send_signal(signal.SIGTERM)
        assert third.process.wait(timeout=10) == 0, third.text()
        assert LEADING not in third.text()

        # Long enough for the second to have tried the lock again at least once.
        time.sleep(LEADER_POLL_SECONDS + 1)
        assert second.process.poll() is None, second.text()
        assert second.text().count(WAITING) == 1
        assert LEADING not in second.text()
        assert HEARTBEAT not in second.text()

        first.process.kill()
        first.process.wait()
        killed_at = time.monotonic()
        assert second.logs(LEADING, timeout=TAKEOVER_LIMIT_SECONDS), second.text()
        takeover = time.monotonic() - killed_at
        print(f"\n{database_url.split(':')[0]}: took over {takeover:.2f} s after kill -9")
        assert takeover < TAKEOVER_LIMIT_SECONDS
        assert second.logs(HEARTBEAT, timeout=30), second.text()

        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=10) == 0, second.text()
        assert "Scheduler has been shut down" in second.text()
    finally:
        for process in started:
            process.stop()


def test_a_second_lock_on_the_same_database_fails_until_the_first_is_released(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for_test(tmp_path, database_url, 25)
    first, second = leader_lock_for(settings), leader_lock_for(settings)
    assert isinstance(first, FileLeaderLock if settings.is_sqlite else AdvisoryLeaderLock)
    try:
        assert first.try_acquire()
        assert first.still_held()
        assert not second.try_acquire()
        assert not second.still_held()

        first.release()
        assert not first.still_held()
        assert second.try_acquire()
        assert second.still_held()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_leader_whose_lock_is_taken_away_knows_it_and_another_can_lead(database_url: str, tmp_path: Path) -> None:
    settings = settings_for_test(tmp_path, database_url, 25)
    leader, successor = leader_lock_for(settings), leader_lock_for(settings)
    try:
        assert leader.try_acquire()
        if isinstance(leader, FileLeaderLock):
            leader.path.unlink()  # an operator "cleans up" the lock file
        else:
            engine = create_engine(database_url)
            with engine.connect() as connection:
                terminated = connection.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_locks"
                        " WHERE locktype = 'advisory' AND granted"
                        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    )
                )
            engine.dispose()
            assert terminated == 1
        assert not leader.still_held()
        assert successor.try_acquire()
        assert successor.still_held()
    finally:
        leader.release()
        successor.release()


def test_an_in_memory_sqlite_database_needs_no_lock(tmp_path: Path) -> None:
    lock = leader_lock_for(settings_for_test(tmp_path, "sqlite://", 25))
    assert isinstance(lock, UnsharedLeaderLock)
    lock.acquire(poll_seconds=0.01)
    assert lock.still_held()


class _DeletedOnceTaken(FileLeaderLock):
    """A real file lock whose file is deleted right after it is taken: the next job must find it lost."""

    def acquire(self, poll_seconds: float = LEADER_POLL_SECONDS) -> None:
        super().acquire(poll_seconds)
        self.path.unlink()


@pytest.mark.timeout(30)
def test_a_scheduler_that_loses_the_lock_runs_no_job_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings_for_test(tmp_path, f"sqlite:///{tmp_path / 'rris.sqlite3'}", 25))
    lock = _DeletedOnceTaken(tmp_path / "rris.sqlite3.scheduler-lock")
    monkeypatch.setattr(runner, "leader_lock_for", lambda _settings: lock)
    caplog.set_level(logging.DEBUG, logger="scheduler")

    assert runner.run(app) == 1

    messages = [record.getMessage() for record in caplog.records]
    assert "scheduler: lost the leader lock; stopping without running more jobs" in messages
    assert HEARTBEAT not in messages
    assert runner.LEADERSHIP_EXTENSION not in app.extensions
    assert not lock.still_held()
