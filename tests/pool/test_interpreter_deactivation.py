"""A coordinator takes an interpreter out of the pool from her page, with a reason; the page then
lists the jobs she leaves, each linked and with a button to offer it to others; reactivating
brings her back. Others get 403, a missing reason a field error with 422."""

from __future__ import annotations

from sqlalchemy import select

from rris.bookings.models.bookings import Booking
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import confirmed


def pool_with_a_job(app, clock):
    """Mariam confirmed for a session; Farid could take it over. Returns (Mariam's id, booking id)."""
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam A.", email="mariam@i.example")
        booking = confirmed(jelena, mariam)
        factories.interpreter(pairs=(("pus", "srp"),), name="Farid K.")
        return mariam.id, booking.id


def test_deactivating_lists_the_jobs_left_and_each_can_be_offered_to_others(app, clock, browser):
    mariam_id, booking_id = pool_with_a_job(app, clock)
    page_url = f"/interpreters/{mariam_id}"
    browser.sign_in("hub@marri.example", PASSWORD)
    assert "Deactivate" in browser.get(page_url).get_data(as_text=True)

    response = browser.submit(page_url, {"reason": "Moved abroad"}, post_to=f"{page_url}/deactivate")
    assert response.status_code == 302
    page = browser.get(page_url).get_data(as_text=True)
    assert "Reactivate" in page and "Moved abroad" in page
    with app.app_context():
        code = db.session.get(Booking, booking_id).code
    assert f'href="/bookings/{booking_id}">{code}</a>' in page
    assert f'action="/bookings/{booking_id}/reoffer"' in page

    response = browser.submit(page_url, {}, post_to=f"/bookings/{booking_id}/reoffer")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Booking, booking_id).state is BookingState.OFFERED
    assert "No confirmed jobs ahead" in browser.get(page_url).get_data(as_text=True)


def test_reactivating_brings_the_interpreter_back_and_resolves_the_conflict(app, clock, browser):
    mariam_id, booking_id = pool_with_a_job(app, clock)
    page_url = f"/interpreters/{mariam_id}"
    browser.sign_in("hub@marri.example", PASSWORD)
    browser.submit(page_url, {"reason": "Under review"}, post_to=f"{page_url}/deactivate")
    response = browser.submit(page_url, {}, post_to=f"{page_url}/reactivate")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(InterpreterProfile, mariam_id).active is True
        conflicts = db.session.scalars(select(BookingConflict).where(BookingConflict.booking_id == booking_id)).all()
        assert [c.resolved_at is not None for c in conflicts] == [True]
    assert "Deactivate" in browser.get(page_url).get_data(as_text=True)


def test_a_missing_reason_is_shown_on_the_field(app, clock, browser):
    mariam_id, _booking_id = pool_with_a_job(app, clock)
    page_url = f"/interpreters/{mariam_id}"
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.submit(page_url, {"reason": "  "}, post_to=f"{page_url}/deactivate")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page and "Say why the interpreter leaves the pool." in page
    with app.app_context():
        assert db.session.get(InterpreterProfile, mariam_id).active is True


def test_only_coordinators_see_the_form_or_may_post_it(app, clock, browser):
    mariam_id, _booking_id = pool_with_a_job(app, clock)
    page_url = f"/interpreters/{mariam_id}"
    browser.sign_in("mariam@i.example", PASSWORD)
    page = browser.get(page_url)
    assert page.status_code == 200 and "Deactivate" not in page.get_data(as_text=True)
    assert browser.submit(page_url, {"reason": "x"}, post_to=f"{page_url}/deactivate").status_code == 403
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert browser.submit("/", {}, post_to=f"{page_url}/reactivate").status_code == 403
    with app.app_context():
        assert db.session.get(InterpreterProfile, mariam_id).active is True


def test_a_post_without_the_csrf_token_changes_nothing(app, clock, browser):
    mariam_id, _booking_id = pool_with_a_job(app, clock)
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.client.post(f"/interpreters/{mariam_id}/deactivate", data={"reason": "Moved"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(InterpreterProfile, mariam_id).active is True
