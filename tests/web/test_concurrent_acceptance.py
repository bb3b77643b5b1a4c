"""Under real concurrency, through HTTP against a running server, on SQLite and PostgreSQL:
exactly one acceptance wins, the rest get 409, and nothing else changes."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import make_server

from rris.enums import BookingState, OfferState
from rris.extensions import db
from rris.models import Assignment, Booking, Offer
from rris.queries.actors import actor_of
from rris.services.api_tokens import create_api_token
from rris.services.booking_input import BookingInput
from rris.services.bookings import request_booking
from rris.services.languages import sync_languages
from rris.timeutil import FrozenClock
from rris.web import create_portal
from tests import factories
from tests.conftest import DEFAULT_NOW, settings_for_test

CONTENDERS = 50


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path: Path, smtp_server):
    """A fresh database and the portal served by a threaded WSGI server on 127.0.0.1."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"race_{tmp_path.name[-10:].lower()}")
    settings = settings_for_test(tmp_path, url, smtp_server[1]).replace(offer_wave_size=CONTENDERS)
    app = create_portal(settings, clock=FrozenClock(DEFAULT_NOW))
    with app.app_context():
        upgrade()
        sync_languages()
    http_server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    yield app, http_server.server_port
    http_server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def booking_request(start: str) -> BookingInput:
    return BookingInput(
        applicant_language="pus",
        officer_language="srp",
        session_kind="registration",
        start_local=start,
        duration_minutes=60,
        case_reference=f"RS-{start}",
    )


def token(user) -> str:
    return create_api_token(user, "race", DEFAULT_NOW)[1]


def post(port: int, path: str, secret: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST", path, body=b"{}", headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def race(port: int, calls: list[tuple[str, str]]) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(calls))

    def go(call: tuple[str, str]) -> tuple[int, dict]:
        barrier.wait()
        return post(port, *call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(go, calls))


def test_fifty_interpreters_accept_one_job_at_once_and_exactly_one_wins(server):
    app, port = server
    with app.test_request_context():
        caseworker = factories.caseworker("RS")
        interpreters = [factories.interpreter(pairs=(("pus", "srp"),)) for _ in range(CONTENDERS)]
        db.session.commit()
        booking, _ = request_booking(booking_request("2026-01-13T09:00"), caseworker, actor_of(caseworker), DEFAULT_NOW)
        offers = {offer.interpreter_id: offer.id for offer in booking.offers}
        calls = [(f"/api/v1/offers/{offers[i.id]}/accept", token(i.user)) for i in interpreters]
        booking_id = booking.id
    results = race(port, calls)
    statuses = Counter(status for status, _body in results)
    assert statuses == {200: 1, 409: CONTENDERS - 1}, statuses
    assert all("accepted this job first" in body["detail"] for status, body in results if status == 409)
    with app.app_context():
        assert db.session.get(Booking, booking_id).state is BookingState.CONFIRMED
        assert (
            db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.released_at.is_(None))) == 1
        )
        states = Counter(db.session.scalars(select(Offer.state)))
        assert states == {OfferState.ACCEPTED: 1, OfferState.WITHDRAWN: CONTENDERS - 1}


def test_one_interpreter_accepting_fifty_overlapping_jobs_at_once_gets_exactly_one(server):
    app, port = server
    with app.test_request_context():
        mariam = factories.interpreter(pairs=(("pus", "srp"),))
        secret = token(mariam.user)
        calls = []
        for minute in range(CONTENDERS):
            caseworker = factories.caseworker("RS")
            db.session.commit()
            start = (DEFAULT_NOW + timedelta(days=1, minutes=minute)).strftime("%Y-%m-%dT%H:%M")
            local = f"{start[:11]}{int(start[11:13]) + 1:02d}{start[13:]}"  # Belgrade is UTC+1 in January
            booking, _ = request_booking(booking_request(local), caseworker, actor_of(caseworker), DEFAULT_NOW)
            calls.append((f"/api/v1/offers/{booking.offers[0].id}/accept", secret))
    results = race(port, calls)
    statuses = Counter(status for status, _body in results)
    assert statuses == {200: 1, 409: CONTENDERS - 1}, statuses
    with app.app_context():
        confirmed = db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.state == BookingState.CONFIRMED)
        )
        assert confirmed == 1
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1
        still_offered = db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.state == BookingState.OFFERED)
        )
        assert still_offered == CONTENDERS - 1
