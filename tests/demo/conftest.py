"""The demo pool loaded once per database for the tests that only look at it (or change it and
are rolled back): a load, its past included, costs seconds, and a dozen tests read the same one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from rris.context import current_settings
from rris.demo.pool import load_demo_pool
from rris.demo.summary import DemoSummary
from tests.conftest import DEFAULT_NOW, rolled_back
from tests.support.own_database import portal_on_own_database
from tests.support.smtp import SmtpServer


@dataclass(frozen=True)
class LoadedDemo:
    """A portal whose own database holds the demo pool as one load left it, and that load's summary."""

    app: Flask
    summary: DemoSummary


def _loaded(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[SmtpServer, int],
    name: str,
    with_settings: bool,
) -> Iterator[LoadedDemo]:
    with portal_on_own_database(request, backend, tmp_path_factory.mktemp(name), smtp_server[1], name) as app:
        with app.app_context():
            summary = load_demo_pool(DEFAULT_NOW, settings=current_settings() if with_settings else None)
        yield LoadedDemo(app, summary)


@pytest.fixture(scope="session")
def loaded_demo_pool(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[SmtpServer, int],
) -> Iterator[LoadedDemo]:
    """`load_demo_pool(DEFAULT_NOW)`, committed once per backend into a database of its own."""
    yield from _loaded(request, backend, tmp_path_factory, smtp_server, "demopool", with_settings=False)


@pytest.fixture(scope="session")
def loaded_demo_pool_played(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[SmtpServer, int],
) -> Iterator[LoadedDemo]:
    """`load_demo_pool(DEFAULT_NOW, settings=...)`: the pool with its past on-demand sessions played."""
    yield from _loaded(request, backend, tmp_path_factory, smtp_server, "demoplayed", with_settings=True)


def _inside(loaded: LoadedDemo) -> Iterator[DemoSummary]:
    with rolled_back(loaded.app), loaded.app.test_request_context():
        yield loaded.summary


@pytest.fixture
def demo_pool(loaded_demo_pool: LoadedDemo) -> Iterator[DemoSummary]:
    """A request context on the loaded demo pool (as `ctx` on the test app); whatever the test
    writes is rolled back. The load's summary."""
    yield from _inside(loaded_demo_pool)


@pytest.fixture
def demo_pool_played(loaded_demo_pool_played: LoadedDemo) -> Iterator[DemoSummary]:
    """As `demo_pool`, on the pool whose load played its past on-demand sessions."""
    yield from _inside(loaded_demo_pool_played)
