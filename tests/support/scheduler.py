"""Environments for running `python -m scheduler` as a real process in tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask_migrate import upgrade

from rris.app import create_app
from rris.extensions import db
from rris.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def scheduler_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without RRIS_* settings, pointed at a SQLite database in `tmp_path`.

    Keyword arguments add or override RRIS_* variables (RRIS_DATABASE_URL for PostgreSQL, say).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("RRIS_")}
    env.update(
        {
            "RRIS_ENV": "test",
            "RRIS_INSTANCE_PATH": str(tmp_path),
            "RRIS_DATABASE_URL": f"sqlite:///{tmp_path / 'rris.sqlite3'}",
            **settings,
        }
    )
    return env


def migrate_database(database_url: str, tmp_path: Path) -> None:
    """Bring the database at `database_url` to the newest migration, as `make run` does."""
    app = create_app(Settings.from_env(scheduler_env(tmp_path, RRIS_DATABASE_URL=database_url)))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def start_scheduler(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m scheduler` in the background with `env`, its output appended to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, stdout=output, stderr=output)


def kill_left_over(*processes: subprocess.Popen[bytes] | None) -> None:
    """Kill whichever of `processes` still runs (a test's cleanup, whatever failed)."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
