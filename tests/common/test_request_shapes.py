"""One description per request: the booking form and the API are judged by the same shape, in the
same words, the API strictly (a number is a number), the form leniently (everything is text);
the values reach the use case typed."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from rris.bookings.models.bookings import Booking
from rris.extensions import db
from tests import factories
from tests.api.test_bookings_api import REQUEST, setup, token_for  # noqa: F401  (setup is a fixture)
from tests.bookings.test_booking_pages import book, people  # noqa: F401  (people is a fixture)

SESSION_KINDS = (
    "Choose one of: asylum_interview, registration, reception, medical, legal_counselling, return_counselling, "
    "age_assessment, vulnerability_assessment."
)


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown next to {name}"
    return html.unescape(found.group(1)).strip()


def api_reasons(response) -> dict[str, str]:
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    return {item["name"]: item["reason"] for item in response.get_json()["invalid_params"]}


def api_post(app, body):
    """The booking API called by Jelena of `people`, with a token of hers."""
    return app.test_client().post("/api/v1/bookings", json=body, headers=token_for(app, "jelena@mup.rs.example"))


def test_the_form_and_the_api_refuse_a_long_case_reference_in_the_same_words(app, browser, people):  # noqa: F811
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    too_long = "RS-2026-" + "0042" * 20
    page = book(browser, people, case_reference=too_long)
    api = api_post(app, {**REQUEST, "case_reference": too_long})
    said = "Use at most 64 characters; this has 88."
    assert page.status_code == 422 and field_error(page.get_data(as_text=True), "case_reference") == said
    assert api_reasons(api) == {"case_reference": said}


def test_a_session_kind_rris_does_not_know_is_named_with_the_choices_on_the_page_and_in_the_api(
    app, browser, people  # noqa: F811
):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = book(browser, people, session_kind="chat").get_data(as_text=True)
    assert field_error(page, "session_kind") == SESSION_KINDS
    api = api_post(app, {**REQUEST, "session_kind": "chat"})
    assert api_reasons(api) == {"session_kind": SESSION_KINDS}


def test_the_api_takes_no_text_for_a_number_while_the_form_sends_only_text(app, browser, people):  # noqa: F811
    api = api_post(app, {**REQUEST, "duration_minutes": "120", "continuity": "yes"})
    assert api_reasons(api) == {"duration_minutes": "Give a whole number.", "continuity": "Give true or false."}
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    booked = book(browser, people, duration_minutes="90", continuity="y")
    assert booked.status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, int(booked.headers["Location"].rsplit("/", 1)[-1]))
        assert (booking.ends_at - booking.starts_at).total_seconds() == 90 * 60 and booking.continuity is True


def test_every_field_the_form_leaves_empty_counts_as_not_given(app, browser, people):  # noqa: F811
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    booked = book(browser, people, duration_minutes="", gender="", dialect="", notes="", applicant_identifier="")
    assert booked.status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, int(booked.headers["Location"].rsplit("/", 1)[-1]))
        assert (booking.ends_at - booking.starts_at).total_seconds() == 180 * 60  # an interview's usual length
        assert booking.notes is None and booking.dialect is None and booking.applicant_key is None


def test_a_form_without_the_required_fields_names_each_of_them(app, browser, people):  # noqa: F811
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book(browser, people, applicant_language="", start_local="", case_reference="   ")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "applicant_language") == "Choose a language."
    assert (
        field_error(page, "start_local")
        == "Give the start as a date and time from 2000 to 2099, like 2026-03-02T09:00."
    )
    assert field_error(page, "case_reference") == "Enter your department's case reference (never the applicant's name)."


def test_rescheduling_from_the_page_names_a_bad_time_and_moves_to_a_good_one(app, browser, people):  # noqa: F811
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book(browser, people).headers["Location"]
    to = f"{location}/reschedule"
    refused = browser.submit(location, {"start_local": "13.01.2026 10:00"}, post_to=to)
    assert refused.status_code == 422
    said = "Give the start as a date and time from 2000 to 2099, like 2026-03-02T09:00."
    assert field_error(refused.get_data(as_text=True), "start_local") == said
    short = browser.submit(location, {"start_local": "2026-01-14T10:00", "duration_minutes": "5"}, post_to=to)
    said = "A session lasts from 15 minutes to 8 hours."
    assert field_error(short.get_data(as_text=True), "duration_minutes") == said
    moved = browser.submit(location, {"start_local": "2026-01-14T10:00", "duration_minutes": ""}, post_to=to)
    assert moved.status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, int(location.rsplit("/", 1)[-1]))
        assert booking.starts_at.replace(tzinfo=UTC) == datetime(2026, 1, 14, 9, 0, tzinfo=UTC)  # 10:00 Belgrade
        assert (booking.ends_at - booking.starts_at).total_seconds() == 120 * 60  # unchanged


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/api/v1/languages?q=%20a%20", {"q": "Give at least two letters of a language name or code."}),
        ("/api/v1/languages", {"q": "Give at least two letters of a language name or code."}),
    ],
)
def test_a_query_string_out_of_its_shape_is_a_422_naming_the_parameter(app, setup, url, reason):  # noqa: F811
    assert api_reasons(app.test_client().get(url, headers=setup["jelena"])) == reason


def test_the_candidates_leg_is_read_by_its_shape_and_checked_against_the_booking(app, setup):  # noqa: F811
    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    url = f"/api/v1/bookings/{booking_id}/candidates"
    assert client.get(f"{url}?leg=1", headers=setup["elena"]).status_code == 200
    assert api_reasons(client.get(f"{url}?leg=2", headers=setup["elena"])) == {"leg": "This booking has no such leg."}
    assert api_reasons(client.get(f"{url}?leg=one", headers=setup["elena"])) == {"leg": "Give a whole number."}
