"""Racing requests get the answers one request at a time would get, alike on SQLite and
PostgreSQL, through HTTP against a running server: a repeated Idempotency-Key replays the first
answer (or is a 422 for another body)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from rris.enums import Role
from rris.extensions import db
from rris.models import Booking, IdempotencyRecord
from rris.services.api_tokens import create_api_token
from rris.timeutil import FrozenClock
from tests import factories
from tests.conftest import DEFAULT_NOW, settings_for_test
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
