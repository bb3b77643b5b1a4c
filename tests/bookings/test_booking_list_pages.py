"""The booking lists come a page at a time, soonest first; a page runs as many queries for many bookings as for few."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment
from rris.bookings.queries import booking_lists
from rris.enums import BookingState, Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.support.sql_statements import counted_statements, executed_statements

CASEWORKER = "jelena@mup.rs.example"


def bookings_of(app, clock, days: list[int], references: list[str]) -> None:
    """Confirmed sessions `days` after now, each with its own interpreter, booked by Jelena."""
    with committed(app):
        jelena = db.session.scalar(select(User).where(User.email == CASEWORKER)) or factories.user(
            Role.CASEWORKER, email=CASEWORKER, department=factories.department("RS")
        )
        for day, reference in zip(days, references, strict=True):
            start = clock.now().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=day)
            booking = factories.booking(
                department=jelena.department,
                starts_at=start,
                state=BookingState.CONFIRMED,
                created_by=jelena,
                case_reference=reference,
            )
            interpreter = factories.interpreter(email=f"{reference.lower()}@pool.example", pairs=(("pus", "srp"),))
            booking.assignments.append(
                Assignment(
                    interpreter=interpreter,
                    busy_from=start,
                    busy_until=start + timedelta(hours=1),
                    assigned_at=clock.now(),
                )
            )


def listed_cases(page: str) -> list[str]:
    return re.findall(r"<td>(CASE-[A-Z]+)</td>", page)


def test_a_list_is_shown_a_page_at_a_time_soonest_first_with_links_that_keep_the_list(app, browser, clock, monkeypatch):
    monkeypatch.setattr(booking_lists, "LIST_PAGE_ROWS", 2)
    bookings_of(app, clock, [5, 1, 4, 2, 3], ["CASE-E", "CASE-A", "CASE-D", "CASE-B", "CASE-C"])
    browser.sign_in(CASEWORKER, PASSWORD)

    first = browser.get("/bookings").get_data(as_text=True)
    assert listed_cases(first) == ["CASE-A", "CASE-B"]
    assert "Page 1" in first and 'href="/bookings?page=2&amp;show=upcoming" rel="next"' in first

    second = browser.get("/bookings?show=upcoming&page=2").get_data(as_text=True)
    assert listed_cases(second) == ["CASE-C", "CASE-D"]
    assert 'href="/bookings?page=1&amp;show=upcoming" rel="prev"' in second

    last = browser.get("/bookings?show=upcoming&page=3").get_data(as_text=True)
    assert listed_cases(last) == ["CASE-E"] and "Page 3" in last and 'rel="next"' not in last
    # A stale link past the end says so and links back; nonsense shows the first page.
    beyond = browser.get("/bookings?page=99").get_data(as_text=True)
    assert listed_cases(beyond) == [] and "Nothing here." in beyond
    assert 'href="/bookings?page=98&amp;show=upcoming" rel="prev"' in beyond
    assert listed_cases(browser.get("/bookings?page=x").get_data(as_text=True)) == ["CASE-A", "CASE-B"]


def test_the_list_runs_as_many_queries_for_six_bookings_as_for_two(app, browser, clock):
    bookings_of(app, clock, [1, 2], ["CASE-A", "CASE-B"])
    browser.sign_in(CASEWORKER, PASSWORD)
    with app.app_context(), counted_statements() as few:
        assert listed_cases(browser.get("/bookings").get_data(as_text=True)) == ["CASE-A", "CASE-B"]
    bookings_of(app, clock, [3, 4, 5, 6], ["CASE-C", "CASE-D", "CASE-E", "CASE-F"])
    with app.app_context(), counted_statements() as more:
        assert len(listed_cases(browser.get("/bookings").get_data(as_text=True))) == 6
    assert len(more) == len(few), more


def test_on_sqlite_a_coordinators_upcoming_list_walks_the_open_bookings_by_start_instead_of_sorting_them(
    app, browser, clock
):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL plans by its statistics; SQLite, which has none, by the statement alone")
    bookings_of(app, clock, [1, 2], ["CASE-A", "CASE-B"])
    with committed(app):
        factories.user(Role.COORDINATOR, email="hub@marri.example")
    browser.sign_in("hub@marri.example", PASSWORD)
    with app.app_context(), executed_statements() as executed:
        assert listed_cases(browser.get("/bookings").get_data(as_text=True)) == ["CASE-A", "CASE-B"]
    (statement, parameters), *_ = (
        (statement, parameters) for statement, parameters in executed if "ORDER BY bookings.starts_at" in statement
    )
    with app.app_context():
        explained = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plan = [row[3] for row in explained]
    assert any("ix_bookings_open_starts_at" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # in the order of the index: no sort
