"""A portal on a database of its own, migrated, with no test transaction around it: what its
threads and other processes commit is committed for real (races, notices, restarts)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.portal import create_portal
from rris.timeutil import FrozenClock
from tests.conftest import DEFAULT_NOW, settings_for_test


@contextmanager
def portal_on_own_database(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, smtp_port: int, name: str
) -> Iterator[Flask]:
    """A portal at DEFAULT_NOW on a fresh database `name` of `backend` (sqlite or postgresql),
    its languages loaded; its engine disposed of afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"{name}_{tmp_path.name[-10:].lower()}")
    app = create_portal(settings_for_test(tmp_path, url, smtp_port), FrozenClock(DEFAULT_NOW))
    with app.app_context():
        upgrade()
        sync_languages()
    yield app
    with app.app_context():
        db.engine.dispose()
