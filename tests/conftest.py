"""Fixtures: the app on SQLite and on PostgreSQL, a transaction rolled back per test, a real
SMTP server, a clock the tests set, and an HTTP client that handles CSRF like a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSqlaSession
from sqlalchemy import Connection

from deploy.local.redis import LocalRedis
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.portal import create_portal
from rris.settings import Settings
from rris.timeutil import FrozenClock
from tests.support.catalogues import compile_catalogues
from tests.support.passwords import hash_cheaply
from tests.support.postgres import ThrowawayPostgres
from tests.support.second_factor import SECOND_STEP_PATH, next_totp_code
from tests.support.smtp import Mailbox, SmtpServer

hash_cheaply()  # before any fixture or factory hashes a password (see tests/support/passwords.py)

pytest_plugins = ["tests.support.web_fixtures", "tests.support.ondemand_people"]

# Monday 2026-01-12, 08:00 UTC: 09:00 in Belgrade, 12:30 in Kabul.
DEFAULT_NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-rris"
TEST_SECOND_FACTOR_KEY = "test-second-factor-key-long-enough-for-rris"
TEST_APPLICANT_KEY_SECRET = "test-applicant-key-secret-long-enough-for-rris"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """One throwaway PostgreSQL cluster on 127.0.0.1 for the whole run."""
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[LocalRedis]:
    """A private redis-server on 127.0.0.1 and a free port for one test, stopped afterwards."""
    with LocalRedis(tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[SmtpServer, int]]:
    server = SmtpServer()
    port = server.start()
    yield server, port
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def settings_for_test(tmp_path: Path, database_url: str, smtp_port: int) -> Settings:
    """Settings for a test app: everything explicit, nothing read from the developer's environment."""
    return Settings.from_env(
        {
            "RRIS_ENV": "test",
            "RRIS_INSTANCE_PATH": str(tmp_path / "instance"),
            "RRIS_DATABASE_URL": database_url,
            "RRIS_SECRET_KEY": TEST_SECRET_KEY,
            "RRIS_SECOND_FACTOR_KEY": TEST_SECOND_FACTOR_KEY,
            "RRIS_APPLICANT_KEY_SECRET": TEST_APPLICANT_KEY_SECRET,
            "RRIS_SMTP_HOST": "127.0.0.1",
            "RRIS_SMTP_PORT": str(smtp_port),
            "RRIS_PUBLIC_URL": "https://rris.test",
            "RRIS_LOG_LEVEL": "WARNING",
        }
    )


@pytest.fixture(scope="session")
def app(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    smtp_server: tuple[SmtpServer, int],
) -> Iterator[Flask]:
    """The portal on one backend, migrated to head with the language catalogue loaded."""
    base = tmp_path_factory.mktemp(f"app-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{base / 'rris.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database("rris_suite")
    portal = create_portal(settings_for_test(base, url, smtp_server[1]), clock=FrozenClock(DEFAULT_NOW))
    with portal.app_context():
        upgrade()
        sync_languages()
    yield portal
    with portal.app_context():
        db.engine.dispose()


class _BoundSession(FlaskSqlaSession):
    """A session that always uses the test's connection (Flask-SQLAlchemy would pick the engine)."""

    def get_bind(self, *args: object, **kwargs: object):  # type: ignore[override]
        return self.bind


@contextmanager
def rolled_back(flask_app: Flask, within: Connection | None = None) -> Iterator[Connection]:
    """Run the block in one outer transaction on `flask_app`'s database, rolled back afterwards:
    what the block commits is a savepoint released, and is gone when it ends. Yields the connection.

    With `within` (the connection an enclosing `rolled_back` yielded), the block runs in a savepoint
    of that transaction instead: it sees what the enclosing block committed, and its own changes
    are gone when it ends while the enclosing block's stay.

    The app context is pushed only to set up and to clean up: a context left pushed would be
    shared by every test-client request (and with it `g`, where Flask-Login and Flask-WTF cache).
    """
    with flask_app.app_context():
        original = db.session
        if within is None:
            connection = db.engine.connect()
            outer = connection.begin()
        else:
            connection = within
            outer = connection.begin_nested()
        db.session = db._make_scoped_session(
            {"class_": _BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
    try:
        yield connection
    finally:
        with flask_app.app_context():
            db.session.remove()
            db.session = original
            outer.rollback()
            if within is None:
                connection.close()


@pytest.fixture(autouse=True)
def _database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs in one outer transaction that is rolled back afterwards
    (`rolled_back`), with the clock at DEFAULT_NOW.

    A module whose tests only look at one setup may build it once in a `rolled_back` of its own
    and offer that block's connection as the fixture `shared_connection`: each test that asks for
    it runs in a savepoint of that transaction instead, rolled back afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    within = request.getfixturevalue("shared_connection") if "shared_connection" in request.fixturenames else None
    # Every test starts at DEFAULT_NOW, whether or not it asks for the `clock` fixture: a clock
    # moved by the test before would otherwise put its bookings in the past.
    flask_app.extensions["rris.clock"].set(DEFAULT_NOW)
    with rolled_back(flask_app, within):
        yield


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    """The app's clock, reset to DEFAULT_NOW for each test."""
    frozen: FrozenClock = app.extensions["rris.clock"]
    frozen.set(DEFAULT_NOW)
    return frozen


@pytest.fixture
def mailbox(smtp_server: tuple[SmtpServer, int]) -> Mailbox:
    smtp_server[0].mailbox.clear()
    return smtp_server[0].mailbox


@pytest.fixture
def ctx(app: Flask, clock: FrozenClock) -> Iterator[None]:
    """A request context for calling services directly. Not for HTTP tests: a request made while
    it is pushed would share its app context (and Flask-Login's cached user)."""
    with app.test_request_context():
        yield


@contextmanager
def committed(app: Flask) -> Iterator[None]:
    """Set up data in a short app context and commit it (into the test's outer transaction)."""
    with app.app_context():
        yield
        db.session.commit()


class Browser:
    """A test client that reads the CSRF token from forms, as a browser submits them."""

    TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.last_token: str | None = None

    def get(self, url: str, **kwargs: object):
        response = self.client.get(url, **kwargs)
        match = self.TOKEN.search(response.get_data(as_text=True))
        if match:
            self.last_token = match.group(1) or match.group(2)
        return response

    def submit(self, form_url: str, data: dict[str, object], post_to: str | None = None, **kwargs: object):
        """GET the page with the form, then POST the data with its CSRF token."""
        self.get(form_url)
        assert self.last_token, f"no CSRF token on {form_url}"
        return self.client.post(post_to or form_url, data={**data, "csrf_token": self.last_token}, **kwargs)

    def sign_in(self, email: str, password: str):
        """The password, then (when the portal asks) the code of the account's known app key."""
        response = self.submit("/login", {"email": email, "password": password})
        if response.status_code == 302 and response.location.endswith(SECOND_STEP_PATH):
            return self.second_step(next_totp_code(self.client.application, email))
        return response

    def second_step(self, code: str):
        return self.submit(SECOND_STEP_PATH, {"code": code})


@pytest.fixture
def browser(app: Flask, clock: FrozenClock) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def another_browser(app: Flask, clock: FrozenClock) -> Browser:
    return Browser(app.test_client())


def pytest_sessionstart(session: pytest.Session) -> None:
    compile_catalogues()


def pytest_report_header(config: pytest.Config) -> str:
    return f"rris: every database test runs on {' and '.join(BACKENDS)}"
