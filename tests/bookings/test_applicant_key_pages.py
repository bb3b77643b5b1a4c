"""The regional applicant key through the portal and the API: a caseworker in Belgrade records an
objection, a case system in Skopje books the same applicant, and the objection holds. The
identifier itself is nowhere afterwards: not in any column of any table, not in a log line, not
in an answer, not in the form after an error."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from rris.bookings.models.bookings import IdempotencyRecord
from rris.common.services.idempotency import fingerprint
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.api.test_bookings_api import token_for
from tests.bookings.test_booking_pages import FORM
from tests.conftest import TEST_APPLICANT_KEY_SECRET, committed

# The applicant's registration number, as typed in each office (not the case reference, which
# every page shows).
TYPED_IN_BELGRADE = "RB-7731-5520"
TYPED_IN_SKOPJE = "rb 7731 5520"
TRACES = ("rb-7731-5520", "rb 7731 5520", "rb77315520", "7731-5520", "77315520", "7731 5520")
SKOPJE_REQUEST = {
    "applicant_language": "pus",
    "officer_language": "mkd",
    "session_kind": "asylum_interview",
    "start_local": "2026-01-15T09:00",
    "duration_minutes": 60,
    "case_reference": "MK-08-331/26",
}


@pytest.fixture
def region(app):
    """Caseworkers in Belgrade and Skopje, two interpreters accredited in both, a coordinator."""
    with committed(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        factories.caseworker("MK", email="ana@mvr.mk.example")
        ids = {
            name: factories.interpreter(
                email=f"{name}@pool.example", pairs=(("pus", "srp"), ("pus", "mkd")), accredited_for=("RS", "MK")
            ).id
            for name in ("mariam", "omid")
        }
        factories.user(Role.COORDINATOR, email="elena@marri.example")
        department = belgrade.id
    return {
        "department": department,
        "ids": ids,
        "ana": token_for(app, "ana@mvr.mk.example"),
        "mariam": token_for(app, "mariam@pool.example"),
        "elena": token_for(app, "elena@marri.example"),
    }


def book_in_belgrade(browser, region, **changes):
    data = {**FORM, "department_id": str(region["department"]), **changes}
    return browser.submit("/bookings/new", data)


def assert_no_trace(text):
    lowered = text.lower()
    assert not [trace for trace in TRACES if trace in lowered]


def everything_stored():
    """Every value of every column of every table, as text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            values.extend(str(value) for value in row if value is not None)
    return "\n".join(values)


def test_the_form_explains_the_identifier_and_what_happens_without_it(app, browser, region):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get("/bookings/new").get_data(as_text=True)
    assert "Applicant&#39;s regional identifier (optional)" in page or "Applicant's regional identifier" in page
    assert "RRIS keeps only a keyed fingerprint of it, never the number itself" in page
    assert "Without it, they hold only within this case, in this country." in page
    assert 'name="applicant_identifier"' in page and 'autocomplete="off"' in page


def test_after_an_error_the_form_asks_for_the_identifier_again_instead_of_showing_it(app, browser, region):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book_in_belgrade(browser, region, start_local="2026-01-01T09:00", applicant_identifier=TYPED_IN_BELGRADE)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The start lies in the past." in page
    assert "RRIS did not keep what you typed: enter the identifier again." in page
    assert_no_trace(page)


def test_an_unusable_identifier_is_refused_next_to_its_field_without_being_repeated(app, browser, region):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book_in_belgrade(browser, region, applicant_identifier="RB#7731*5520")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="applicant_identifier-error"' in page
    assert "Use letters and digits only (spaces, dashes, dots and slashes are ignored)." in page
    assert "RB#7731*5520" not in page and "7731" not in page


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("AB-1", "An identifier has at least 5 letters and digits."),
        ("RB#7731*5520", "Use letters and digits only (spaces, dashes, dots and slashes are ignored)."),
        (77315520, "Give a text value."),
    ],
)
def test_the_api_refuses_an_unusable_identifier_by_name_without_echoing_it(app, region, value, reason):
    response = app.test_client().post(
        "/api/v1/bookings", json={**SKOPJE_REQUEST, "applicant_identifier": value}, headers=region["ana"]
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["invalid_params"] == [{"name": "applicant_identifier", "reason": reason}]
    assert str(value) not in response.get_data(as_text=True)


def test_an_objection_recorded_in_belgrade_holds_for_a_booking_from_skopje_and_the_identifier_stays_nowhere(
    app, browser, region, caplog
):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    answers = []

    # Belgrade: the form, with the identifier; Mariam accepts; the applicant objects to her.
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book_in_belgrade(browser, region, applicant_identifier=TYPED_IN_BELGRADE).headers["Location"]
    belgrade_id = int(location.rsplit("/", 1)[-1])
    offers = client.get("/api/v1/offers", headers=region["mariam"]).get_json()["items"]
    offer = next(item for item in offers if item["booking"]["id"] == belgrade_id)
    accepted = client.post(f"/api/v1/offers/{offer['id']}/accept", headers=region["mariam"])
    assert accepted.status_code == 200
    objected = browser.submit(location, {"interpreter_id": region["ids"]["mariam"]}, post_to=f"{location}/objection")
    assert objected.status_code == 302
    page = browser.client.get(location).get_data(as_text=True)
    assert "will not be offered this applicant again, in any country" in page
    assert "Given: objections and continuity follow the applicant in every country." in page
    answers += [accepted.get_data(as_text=True), page]

    # Skopje: a case system books the same applicant under its own case reference.
    created = client.post(
        "/api/v1/bookings",
        json={**SKOPJE_REQUEST, "applicant_identifier": TYPED_IN_SKOPJE},
        headers={**region["ana"], "Idempotency-Key": "mk-331-1"},
    )
    assert created.status_code == 201, created.get_json()
    skopje = created.get_json()
    assert skopje["regional_applicant_key"] is True and "applicant_identifier" not in skopje
    shown = client.get(f"/api/v1/bookings/{skopje['id']}", headers=region["ana"])
    assert shown.get_json()["regional_applicant_key"] is True

    # The coordinator's "why not": Mariam is left out because of the objection; Omid is offered.
    why = client.get(f"/api/v1/bookings/{skopje['id']}/candidates", headers=region["elena"]).get_json()
    assert [m["interpreter_id"] for m in why["matches"]] == [region["ids"]["omid"]]
    assert why["rejections"] == [
        {
            "interpreter_id": region["ids"]["mariam"],
            "reasons": [
                {
                    "reason": "objected_by_applicant",
                    "values": {},  # the objection's reason needs no value to be worded
                    "detail": "The applicant has objected to this interpreter.",
                }
            ],
        }
    ]
    mariam_offers = client.get("/api/v1/offers", headers=region["mariam"]).get_json()["items"]
    assert skopje["id"] not in {item["booking"]["id"] for item in mariam_offers}
    answers += [created.get_data(as_text=True), shown.get_data(as_text=True), str(why), str(mariam_offers)]

    for answer in answers:
        assert_no_trace(answer)
    assert_no_trace(caplog.text)
    with app.app_context():
        stored_text = everything_stored()
        assert "MK-08-331/26" in stored_text and skopje["code"] in stored_text  # the scan sees the rows
        assert_no_trace(stored_text)
        # Nor a plain hash of the request that held it, which a short number would betray.
        plain = fingerprint("POST", "/api/v1/bookings", {**SKOPJE_REQUEST, "applicant_identifier": TYPED_IN_SKOPJE})
        stored = db.session.scalars(select(IdempotencyRecord.fingerprint)).all()
        assert len(stored) == 1 and plain not in stored


def test_a_retry_with_the_same_idempotency_key_and_identifier_is_the_same_request(app, region):
    client = app.test_client()
    headers = {**region["ana"], "Idempotency-Key": "mk-331-2"}
    body = {**SKOPJE_REQUEST, "applicant_identifier": TYPED_IN_SKOPJE}
    first = client.post("/api/v1/bookings", json=body, headers=headers)
    again = client.post("/api/v1/bookings", json=body, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json()["id"] == first.get_json()["id"]
    other = client.post("/api/v1/bookings", json={**body, "applicant_identifier": "RB-7731-5521"}, headers=headers)
    assert other.status_code == 422


def test_a_booking_without_the_identifier_says_its_objections_stay_within_the_case(app, browser, region):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book_in_belgrade(browser, region).headers["Location"]
    page = browser.client.get(location).get_data(as_text=True)
    assert "Not given: objections and continuity hold within this case, in this country." in page
    created = app.test_client().post("/api/v1/bookings", json=SKOPJE_REQUEST, headers=region["ana"])
    assert created.get_json()["regional_applicant_key"] is False


def test_the_openapi_document_marks_the_identifier_write_only(app, region):
    document = app.test_client().get("/api/v1/openapi.json", headers=region["ana"]).get_json()
    schemas = document["components"]["schemas"]
    field = schemas["BookingRequest"]["properties"]["applicant_identifier"]
    assert field["writeOnly"] is True and "Never returned" in field["description"]
    assert schemas["Booking"]["properties"]["regional_applicant_key"]["readOnly"] is True


def test_the_status_command_counts_records_per_key_version_and_shows_no_secret(app, region):
    before = app.test_cli_runner().invoke(args=["applicant-keys", "status"])
    assert "No booking or objection carries an applicant key yet." in before.output
    app.test_client().post(
        "/api/v1/bookings", json={**SKOPJE_REQUEST, "applicant_identifier": TYPED_IN_SKOPJE}, headers=region["ana"]
    )
    result = app.test_cli_runner().invoke(args=["applicant-keys", "status"])
    assert result.exit_code == 0, result.output
    assert "current version: 1" in result.output and "retired versions still matched: none" in result.output
    assert "version 1: 1 booking, 0 objections (current)" in result.output
    assert TEST_APPLICANT_KEY_SECRET not in result.output
    assert_no_trace(result.output)
