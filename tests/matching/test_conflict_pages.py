"""The booking page shows a conflict the scheduler found, offers the re-offer, and lists the
messages sent about the booking; the join link from the reminders leads to the session."""

from __future__ import annotations

from datetime import datetime, timedelta

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.matching.services.conflicts import process_sweep_requests
from rris.notifications.services import outbox
from rris.pool.services.availability import add_time_off
from tests import factories
from tests.api.test_bookings_api import token_for
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import SESSION_START, confirmed
from tests.support.letterhead import letterhead


def conflicted_booking(app, clock):
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam A.", email="mariam@i.example")
        factories.interpreter(pairs=(("pus", "srp"),), name="Farid K.")
        booking = confirmed(jelena, mariam)
        outbox.dispatch_due(clock, letterhead())
        add_time_off(mariam.id, actor_of(mariam.user), datetime(2026, 1, 14), datetime(2026, 1, 15), None,
                     clock.now())
        process_sweep_requests(clock.now())
        return booking.id


def test_the_caseworker_sees_the_conflict_and_offers_the_job_to_others(app, clock, browser):
    booking_id = conflicted_booking(app, clock)
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    page = browser.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "Mariam A.</strong> can no longer take this session" in page
    assert "Release and offer to other interpreters" in page
    assert "calendar invitation" in page and "sent" in page  # the messages panel

    response = browser.submit(f"/bookings/{booking_id}", {}, post_to=f"/bookings/{booking_id}/reoffer")
    assert response.status_code == 302
    page = browser.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "can no longer take this session" not in page
    with app.app_context():
        assert db.session.get(Booking, booking_id).state is BookingState.OFFERED


def test_the_api_lists_open_conflicts_and_re_offers(app, clock):
    booking_id = conflicted_booking(app, clock)
    client = app.test_client()
    headers = token_for(app, "hub@marri.example")
    body = client.get(f"/api/v1/bookings/{booking_id}", headers=headers).get_json()
    assert [conflict["reason"] for conflict in body["conflicts"]] == ["time_off"]
    assert "reoffer" in body["allowed_actions"]
    answer = client.post(f"/api/v1/bookings/{booking_id}/reoffer", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["state"] == "offered" and answer.get_json()["conflicts"] == []
    again = client.post(f"/api/v1/bookings/{booking_id}/reoffer", headers=headers)
    assert again.status_code == 409
    assert again.headers["Content-Type"].startswith("application/problem+json")


def test_the_join_link_opens_the_session_page_for_participants_only(app, clock, browser, another_browser):
    booking_id = conflicted_booking(app, clock)
    with committed(app):
        factories.caseworker("AL", email="elira@al.example")
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert "The call opens at" in browser.get(f"/calls/{booking_id}").get_data(as_text=True)
    clock.set(SESSION_START - timedelta(minutes=10))
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert 'id="call-config"' in browser.get(f"/calls/{booking_id}").get_data(as_text=True)
    another_browser.sign_in("elira@al.example", PASSWORD)
    assert another_browser.get(f"/calls/{booking_id}").status_code == 404
