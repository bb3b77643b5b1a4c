"""Racing requests get the answers one request at a time would get, alike on SQLite and
PostgreSQL, through HTTP against a running server: a repeated Idempotency-Key replays the first
answer (or is a 422 for another body), and a coordinator who loses an assignment race gets a 409
naming the job that won."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from rris.accounts.services.api_tokens import create_api_token
from rris.bookings.models.bookings import Assignment, Booking, IdempotencyRecord
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.timeutil import FrozenClock
from tests import factories
from tests.conftest import DEFAULT_NOW, committed, settings_for_test
from tests.support.live_portal import Request, race, serve_portal

CONTENDERS = 50
BOOKING = {
    "applicant_language": "pus",
    "officer_language": "srp",
    "session_kind": "registration",
    "start_local": "2026-01-13T09:00",
    "duration_minutes": 60,
    "case_reference": "RS-2026-0042",
}


@dataclass(frozen=True)
class Scene:
    app: Flask
    port: int
    people: dict[str, Any]


@pytest.fixture
def portal(fresh_database, tmp_path, smtp_server):
    """The portal on 127.0.0.1 with Jelena (caseworker), Elena (coordinator) and Mariam (interpreter)."""
    settings = settings_for_test(tmp_path, fresh_database, smtp_server[1])
    with serve_portal(settings, FrozenClock(DEFAULT_NOW)) as live:
        with live.app.test_request_context():
            jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
            elena = factories.user(Role.COORDINATOR, email="elena@marri.example")
            mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
            db.session.commit()
            people = {
                "jelena": create_api_token(jelena, "race", DEFAULT_NOW)[1],
                "elena": create_api_token(elena, "race", DEFAULT_NOW)[1],
                "mariam": mariam.id,
                "department": jelena.department_id,
            }
        yield Scene(live.app, live.port, people)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_fifty_retries_with_one_key_at_once_create_one_booking_and_all_get_its_answer(portal):
    key = (("Idempotency-Key", "case-system-retry-1"),)
    answers = race(portal.port, [Request("/api/v1/bookings", portal.people["jelena"], BOOKING, key)] * CONTENDERS)
    assert Counter(answer.status for answer in answers) == {201: CONTENDERS}, [a.body for a in answers]
    assert len({answer.body["id"] for answer in answers}) == 1
    replayed = Counter(answer.headers.get("Idempotent-Replayed") for answer in answers)
    assert replayed == {None: 1, "true": CONTENDERS - 1}
    assert _count(portal.app, Booking) == 1 and _count(portal.app, IdempotencyRecord) == 1


def test_one_key_raced_with_two_bodies_replays_the_winners_and_refuses_the_other(portal):
    key = (("Idempotency-Key", "case-system-retry-2"),)
    bodies = [BOOKING, {**BOOKING, "duration_minutes": 90}]
    calls = [Request("/api/v1/bookings", portal.people["jelena"], bodies[i % 2], key) for i in range(CONTENDERS)]
    answers = race(portal.port, calls)
    created = [answer for answer in answers if answer.status == 201 and "Idempotent-Replayed" not in answer.headers]
    assert len(created) == 1
    winner = created[0].body
    for call, answer in zip(calls, answers, strict=True):
        if call.body["duration_minutes"] == winner["duration_minutes"]:
            assert answer.status == 201 and answer.body["id"] == winner["id"], answer
        else:
            assert answer.status == 422, answer
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.body["invalid_params"][0]["name"] == "Idempotency-Key"
    assert _count(portal.app, Booking) == 1


def test_fifty_overlapping_assignments_of_one_interpreter_at_once_give_one_job_and_409s_naming_it(portal):
    with portal.app.app_context():
        department = db.session.get(factories.Department, portal.people["department"])
        bookings = [factories.booking(department=department) for _ in range(CONTENDERS)]
        db.session.commit()
        codes = {booking.id: booking.code for booking in bookings}
    body = {"interpreter_id": portal.people["mariam"]}
    calls = [Request(f"/api/v1/bookings/{booking_id}/assign", portal.people["elena"], body) for booking_id in codes]
    answers = race(portal.port, calls)
    assert Counter(answer.status for answer in answers) == {200: 1, 409: CONTENDERS - 1}
    winner = next(answer.body for answer in answers if answer.status == 200)
    assert winner["state"] == "confirmed"
    for answer in answers:
        if answer.status == 409:
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert f"Mariam Ahmadzai already has booking {winner['code']} at that time" in answer.body["detail"]
    with portal.app.app_context():
        assert _count(portal.app, Assignment) == 1
        confirmed = select(func.count()).select_from(Booking).where(Booking.state == BookingState.CONFIRMED)
        assert db.session.scalar(confirmed) == 1


@pytest.fixture
def desk(app):
    """Two overlapping bookings in Belgrade, Mariam confirmed for the first; Elena's token."""
    with committed(app):
        jelena = factories.caseworker("RS")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        stranger = factories.interpreter(pairs=(("fas", "eng"),))
        elena = factories.user(Role.COORDINATOR, email="elena@marri.example")
        first = factories.booking(department=jelena.department, state=BookingState.CONFIRMED)
        factories.held(first, mariam)
        second = factories.booking(department=jelena.department)
        token = create_api_token(elena, "desk", DEFAULT_NOW)[1]
        return {
            "first": first.code,
            "second": second.id,
            "mariam": mariam.id,
            "stranger": stranger.id,
            "headers": {"Authorization": f"Bearer {token}"},
        }


def test_assigning_an_interpreter_who_has_a_job_then_is_a_409_naming_it_even_despite(app, desk):
    client = app.test_client()
    for despite in (False, True):
        response = client.post(
            f"/api/v1/bookings/{desk['second']}/assign",
            json={"interpreter_id": desk["mariam"], "despite": despite},
            headers=desk["headers"],
        )
        assert response.status_code == 409 and response.mimetype == "application/problem+json"
        assert f"Mariam Ahmadzai already has booking {desk['first']} at that time" in response.get_json()["detail"]


def test_on_the_page_the_clash_is_shown_on_the_assign_form(app, browser, desk):
    browser.sign_in("elena@marri.example", factories.PASSWORD)
    response = browser.submit(
        f"/bookings/{desk['second']}",
        {"interpreter_id": str(desk["mariam"]), "leg": "1"},
        post_to=f"/bookings/{desk['second']}/assign",
    )
    assert response.status_code == 409
    assert f"Mariam Ahmadzai already has booking {desk['first']} at that time" in response.get_data(as_text=True)


def test_an_interpreter_the_rules_refuse_is_still_a_422_saying_why(app, desk):
    response = app.test_client().post(
        f"/api/v1/bookings/{desk['second']}/assign", json={"interpreter_id": desk["stranger"]}, headers=desk["headers"]
    )
    assert response.status_code == 422
    assert "Does not interpret between" in response.get_json()["invalid_params"][0]["reason"]
