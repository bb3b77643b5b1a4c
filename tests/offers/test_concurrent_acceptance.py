"""Under real concurrency, through HTTP against a running server, on SQLite and PostgreSQL:
exactly one acceptance wins, the rest get 409, and nothing else changes."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rris.access.queries.actors import actor_of
from rris.accounts.services.api_tokens import create_api_token
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import request_booking
from rris.enums import BookingState, OfferState
from rris.extensions import db
from rris.timeutil import FrozenClock
from tests import factories
from tests.conftest import DEFAULT_NOW, settings_for_test
from tests.support.booking_setup import booking_setup
from tests.support.live_portal import Request, race, serve_portal

CONTENDERS = 50


@pytest.fixture
def server(fresh_database, tmp_path, smtp_server):
    """The portal served by a threaded WSGI server on 127.0.0.1, on SQLite and on PostgreSQL."""
    settings = settings_for_test(tmp_path, fresh_database, smtp_server[1]).replace(offer_wave_size=CONTENDERS)
    with serve_portal(settings, FrozenClock(DEFAULT_NOW)) as portal:
        yield portal.app, portal.port


def booking_request(start: str) -> BookingRequest:
    return BookingRequest(
        applicant_language="pus",
        officer_language="srp",
        session_kind="registration",
        start_local=start,
        duration_minutes=60,
        case_reference=f"RS-{start}",
    )


def token(user) -> str:
    return create_api_token(user, "race", DEFAULT_NOW)[1]


def test_fifty_interpreters_accept_one_job_at_once_and_exactly_one_wins(server):
    app, port = server
    with app.test_request_context():
        caseworker = factories.caseworker("RS")
        interpreters = [factories.interpreter(pairs=(("pus", "srp"),)) for _ in range(CONTENDERS)]
        db.session.commit()
        booking, _ = request_booking(
            booking_request("2026-01-13T09:00"), caseworker, actor_of(caseworker), DEFAULT_NOW, booking_setup()
        )
        offers = {offer.interpreter_id: offer.id for offer in booking.offers}
        calls = [Request(f"/api/v1/offers/{offers[i.id]}/accept", token(i.user)) for i in interpreters]
        booking_id = booking.id
    results = race(port, calls)
    statuses = Counter(answer.status for answer in results)
    assert statuses == {200: 1, 409: CONTENDERS - 1}, statuses
    assert all("accepted this job first" in answer.body["detail"] for answer in results if answer.status == 409)
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
            booking, _ = request_booking(
                booking_request(local), caseworker, actor_of(caseworker), DEFAULT_NOW, booking_setup()
            )
            calls.append(Request(f"/api/v1/offers/{booking.offers[0].id}/accept", secret))
    results = race(port, calls)
    statuses = Counter(answer.status for answer in results)
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
