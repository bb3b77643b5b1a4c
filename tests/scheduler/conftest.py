"""What the tests of real scheduler processes share."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, fresh for the test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rris.sqlite3'}"
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:30]
    return request.getfixturevalue("postgres").create_database(name)
