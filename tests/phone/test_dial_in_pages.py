"""With a dial-in number configured, the officer's session page and the interpreter's jobs show
the number and the booking's PIN, so someone without a browser can join by telephone."""

from __future__ import annotations

import re

from rris.bookings.models.bookings import Booking
from rris.extensions import db
from tests import factories
from tests.support.twilio_recorder import changed_settings

NUMBER = "+381111234567"


def pins_on(page: str) -> list[str]:
    return re.findall(r'<strong class="dial-in-pin">(\d{6})</strong>', page)


def test_the_session_page_and_the_jobs_page_show_the_same_number_and_pin(app, browser, another_browser, booked):
    with changed_settings(app, dial_in_number=NUMBER):
        browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
        officer_page = browser.get(f"/bookings/{booked}").get_data(as_text=True)
        another_browser.sign_in("mariam@pool.example", factories.PASSWORD)
        jobs_page = another_browser.get("/jobs").get_data(as_text=True)
    assert NUMBER in officer_page and NUMBER in jobs_page
    assert pins_on(officer_page) == pins_on(jobs_page) != []
    with app.app_context():
        assert db.session.get(Booking, booked).dial_in_pin == pins_on(officer_page)[0]


def test_without_a_dial_in_number_nothing_is_shown(app, browser, booked):
    with changed_settings(app, dial_in_number=""):
        browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
        page = browser.get(f"/bookings/{booked}").get_data(as_text=True)
    assert pins_on(page) == [] and "Without a browser" not in page
