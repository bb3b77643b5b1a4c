"""Fixtures of the page and API tests: a confirmed booking, a fresh empty database (a pytest plugin)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from rris.bookings.models.bookings import Assignment
from rris.enums import BookingState
from tests import factories
from tests.conftest import BACKENDS, committed
from tests.support.call_bookings import OPEN

START = OPEN + timedelta(minutes=15)


@pytest.fixture
def booked(app, clock):
    """A session confirmed for Wednesday 09:00 Belgrade (Jelena, Mariam), seen a day ahead; its id."""
    clock.set(START - timedelta(days=1))
    with committed(app):
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
        mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),))
        booking = factories.booking(
            department=jelena.department, starts_at=START, state=BookingState.CONFIRMED, created_by=jelena
        )
        booking.assignments.append(
            Assignment(
                interpreter=mariam,
                busy_from=START,
                busy_until=START + timedelta(hours=1),
                assigned_at=START - timedelta(days=2),
            )
        )
        return booking.id


def empty_database(request: pytest.FixtureRequest, directory: Path, backend: str) -> str:
    """The URL of a new, empty database on `backend`, for a test that serves the portal itself."""
    if backend == "sqlite":
        return f"sqlite:///{directory / f'live-{uuid.uuid4().hex[:8]}.sqlite3'}"
    return request.getfixturevalue("postgres").create_database(f"live_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database for this test alone: SQLite, then PostgreSQL."""
    return empty_database(request, tmp_path, request.param)
