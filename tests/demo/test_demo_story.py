"""The README's story on the demo pool, as shipped: after `demo load`, Jelena books Pashto for
tomorrow 09:00 leaving everything else as the booking form fills it in, and Mariam in Kabul is
offered the job at 12:30 her time (11:30 in summer), whatever day of the week tomorrow is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from rris.demo.pool import DEMO_LOGINS, DEMO_PASSWORD, load_demo_pool
from rris.timeutil import to_local
from tests.conftest import committed
from tests.support.html_forms import form_defaults

LOGINS = dict(DEMO_LOGINS)


@pytest.mark.parametrize(
    ("today", "kabul"),
    [
        (datetime(2026, 1, 12, 8, 0, tzinfo=UTC), "12:30"),  # Monday in winter
        (datetime(2026, 7, 17, 8, 0, tzinfo=UTC), "11:30"),  # Friday in summer: tomorrow is Saturday
    ],
)
def test_jelena_books_pashto_for_tomorrow_with_the_forms_defaults_and_mariam_is_offered_it(
    app, clock, browser, another_browser, today, kabul
):
    clock.set(today)
    with committed(app):
        load_demo_pool(today)
    tomorrow = to_local(today, "Europe/Belgrade").date() + timedelta(days=1)

    browser.sign_in(LOGINS["caseworker"], DEMO_PASSWORD)
    page = browser.get("/bookings/new").get_data(as_text=True)
    fields = form_defaults(page, "booking-form")
    assert fields["officer_language"] == "srp"  # the department's language, as the README's Jelena keeps it
    fields |= {
        "applicant_language": "pus",
        "start_local": f"{tomorrow.isoformat()}T09:00",
        "case_reference": "RS-2026-0042",
    }
    response = browser.client.post("/bookings/new", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Booked\. (1 interpreter has|[2-9] interpreters have) been asked", detail)

    another_browser.sign_in(LOGINS["interpreter"], DEMO_PASSWORD)
    offers = another_browser.get("/offers").get_data(as_text=True)
    assert "RS" in offers or "Serbia" in offers
    assert kabul in offers, offers
