"""Environments for running `python -m scheduler` as a real process in tests."""

from __future__ import annotations

import os
from pathlib import Path

from flask_migrate import upgrade

from rris.app import create_app
from rris.extensions import db
from rris.settings import Settings


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
