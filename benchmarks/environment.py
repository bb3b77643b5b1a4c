"""The portal as the benchmarks run it: explicit settings, a frozen clock, a database URL."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from benchmarks.catalogue import BENCH_NOW
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.portal import create_portal
from rris.settings import Settings
from rris.timeutil import FrozenClock

UNREACHABLE_LIMIT = 1_000_000_000
_SECRET_KEY = "benchmark-secret-key-that-is-long-enough-for-rris"  # noqa: S105 (a throwaway key for 127.0.0.1)


def bench_environment(instance_path: Path, database_url: str) -> dict[str, str]:
    """The RRIS_* variables of a benchmark app, for this process or a server it starts."""
    return {
        "RRIS_ENV": "test",
        "RRIS_INSTANCE_PATH": str(instance_path),
        "RRIS_DATABASE_URL": database_url,
        "RRIS_SECRET_KEY": _SECRET_KEY,
        "RRIS_PUBLIC_URL": "http://127.0.0.1",
        "RRIS_LOG_LEVEL": "WARNING",
        # Counted on every request (their cost stays in the numbers) but never reached: the
        # clock is frozen, so one minute's window would hold the whole run.
        "RRIS_RATE_LIMIT_PER_TOKEN": str(UNREACHABLE_LIMIT),
        "RRIS_RATE_LIMIT_PER_ADDRESS": str(UNREACHABLE_LIMIT),
    }


def bench_settings(instance_path: Path, database_url: str) -> Settings:
    """Settings for a benchmark app: everything explicit, nothing read from the environment."""
    return Settings.from_env(bench_environment(instance_path, database_url))


def bench_app(instance_path: Path, database_url: str) -> Flask:
    """The portal on `database_url`, migrated to head, with the language catalogue loaded."""
    app = create_portal(bench_settings(instance_path, database_url), clock=FrozenClock(BENCH_NOW))
    with app.app_context():
        upgrade()
        sync_languages()
    # Alembic's logging configuration turns its own INFO lines on; the benchmarks want quiet.
    for name in ("alembic", "flask_migrate", "werkzeug"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return app


def dispose(app: Flask) -> None:
    """Close every pooled database connection of `app`."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
