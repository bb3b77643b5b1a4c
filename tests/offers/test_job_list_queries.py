"""An interpreter's jobs page loads every job with its booking in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.bookings.models.bookings import Assignment
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.support.sql_statements import counted_statements

MARIAM = "mariam@pool.example"


def jobs_for_mariam(app, clock, days: range) -> None:
    """Confirmed sessions `days` ahead (and one as many days back) held by Mariam."""
    with committed(app):
        mariam = db.session.scalar(
            select(InterpreterProfile).join(InterpreterProfile.user).where(InterpreterProfile.user.has(email=MARIAM))
        ) or factories.interpreter(email=MARIAM, pairs=(("pus", "srp"),))
        for day in days:
            for start in (clock.now() + timedelta(days=day), clock.now() - timedelta(days=day)):
                booking = factories.booking(starts_at=start, state=BookingState.CONFIRMED)
                booking.assignments.append(
                    Assignment(
                        interpreter=mariam,
                        busy_from=start,
                        busy_until=start + timedelta(hours=1),
                        assigned_at=start - timedelta(days=3),
                    )
                )


def test_the_jobs_page_runs_as_many_queries_for_eight_jobs_as_for_two(app, browser, clock):
    jobs_for_mariam(app, clock, range(1, 2))
    browser.sign_in(MARIAM, PASSWORD)
    browser.get("/jobs")  # the language names are read once and kept
    with app.app_context(), counted_statements() as few:
        assert browser.get("/jobs").status_code == 200
    jobs_for_mariam(app, clock, range(2, 5))
    with app.app_context(), counted_statements() as more:
        page = browser.get("/jobs").get_data(as_text=True)
    assert page.count('id="job-') == 4 and page.count("<code>T") == 4  # upcoming and recent
    assert len(more) == len(few), more


def test_the_jobs_page_reads_the_upcoming_jobs_once_for_the_list_and_its_warnings(app, browser, clock):
    jobs_for_mariam(app, clock, range(1, 4))
    browser.sign_in(MARIAM, PASSWORD)
    browser.get("/jobs")
    with app.app_context(), counted_statements() as statements:
        assert browser.get("/jobs").status_code == 200
    upcoming = [
        statement for statement in statements if "bookings.ends_at >" in statement and "FROM assignments" in statement
    ]
    assert len(upcoming) == 1, upcoming
