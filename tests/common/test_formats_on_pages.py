"""A list row on a page reads in the viewer's locale: English as written in Europe and Serbian both
put the day first on a 24-hour clock, each in its own words; both name the zone. The US numeric
style ('7/12/26, 9:00 AM', read in the region as 12 July) is gone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale

from rris.enums import Role
from tests import factories
from tests.conftest import committed

# Sunday 12 July 2026, 09:00 in Belgrade (summer time).
START = datetime(2026, 7, 12, 7, 0, tzinfo=UTC)
ENGLISH_ROW = "Sun, 12 Jul, 09:00 Belgrade (UTC+02:00)"
SERBIAN_ROW = "ned 12. jul 09:00 Beograd (UTC+02:00)"


@pytest.fixture(params=["en", "sr_Latn"])
def listed(app, request):
    """Jelena's office has a booking on 12 July; her profile's language is the test's parameter."""
    with committed(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        jelena = factories.user(
            Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade, locale=request.param
        )
        booking = factories.booking(belgrade, starts_at=START, created_by=jelena, case_reference="RS-2026-0712")
        return booking.id


def bookings_page(browser, language: str) -> str:
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = browser.client.get("/bookings", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("listed", ["en"], indirect=True)
def test_the_bookings_list_shows_an_english_row_with_the_month_named_and_the_zone(listed, browser):
    page = bookings_page(browser, "en")
    assert ENGLISH_ROW in page
    assert '<html lang="en" dir="ltr" data-formats="en-150">' in page  # the scripts' times read alike
    assert "7/12/26" not in page and "Jul 12" not in page and ":00:00" not in page


def test_a_serbian_reader_sees_the_day_first_on_a_24_hour_clock(app):
    with app.test_request_context(headers={"Accept-Language": "sr-Latn"}), force_locale("sr_Latn"):
        row = render_template_string("{{ start|list_time('Europe/Belgrade') }}", start=START)
    assert row == SERBIAN_ROW


@pytest.mark.parametrize("listed", ["sr_Latn"], indirect=True)
def test_the_bookings_list_in_serbian_by_the_browsers_and_the_profiles_language(listed, browser):
    page = bookings_page(browser, "sr-Latn,sr;q=0.9,en;q=0.5")
    assert 'lang="sr-Latn"' in page and 'data-formats="sr-Latn-RS"' in page  # as written in Serbia
    assert SERBIAN_ROW in page and ENGLISH_ROW not in page
