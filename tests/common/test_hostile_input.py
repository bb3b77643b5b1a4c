"""What a fuzzer sends gets a 4xx that says what is wrong, never a 500: ids beyond 64 bits,
bodies that are not JSON objects, methods no route takes."""

from __future__ import annotations

import re

import pytest

from rris.accounts.services.api_tokens import create_api_token
from rris.enums import BookingState, Role
from tests import factories
from tests.conftest import DEFAULT_NOW, committed

BEYOND_64_BITS = 2**63  # one more than SQLite (and a PostgreSQL bigint) can hold
LARGEST_ID = 2**31 - 1  # INTEGER keys: the largest value PostgreSQL stores in them
NOT_OBJECTS = [b"[null]", b"1", b'"x"', b"true", b"null", b"[]", b"{", b""]


@pytest.fixture
def people(app):
    """A caseworker's booking with Mariam confirmed, a coordinator, and a token for each of them."""
    with committed(app):
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
        mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),))
        elena = factories.user(Role.COORDINATOR, email="elena@marri.example")
        booking = factories.booking(department=jelena.department, created_by=jelena, state=BookingState.CONFIRMED)
        factories.held(booking, mariam)
        tokens = {
            name: {"Authorization": f"Bearer {create_api_token(user, 'fuzz', DEFAULT_NOW)[1]}"}
            for name, user in (("jelena", jelena), ("mariam", mariam.user), ("elena", elena))
        }
        return {"booking": booking.id, "mariam": mariam.id, **tokens}


def _id_rules(app) -> list[tuple[str, str]]:
    """(rule, method) for every route with an id in its URL."""
    found = []
    for rule in app.url_map.iter_rules():
        if re.search(r"<(?:\w+:)?\w*id>", rule.rule):
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            found.append((rule.rule, method))
    return sorted(found)


def test_every_route_with_an_id_takes_it_through_the_bounded_id_converter(app):
    rules = _id_rules(app)
    assert len(rules) > 30
    assert [rule for rule, _method in rules if re.search(r"<(?!id:)(?:\w+:)?\w*id>", rule)] == []


@pytest.mark.parametrize("number", [BEYOND_64_BITS, LARGEST_ID + 1, 10**40, 0])
def test_an_id_no_record_can_have_is_a_404_on_every_route_pages_and_api(app, browser, people, number):
    browser.sign_in("elena@marri.example", factories.PASSWORD)
    api = app.test_client()
    answers = {}
    for rule, method in _id_rules(app):
        url = re.sub(r"<id:\w+>", str(number), rule)
        if url.startswith("/api/"):
            response = api.open(url, method=method, json={}, headers=people["elena"])
        else:
            response = browser.client.open(url, method=method)
        answers[f"{method} {url}"] = response.status_code
    assert set(answers.values()) == {404}, {url: status for url, status in answers.items() if status != 404}
    assert f"GET /api/v1/bookings/{number}" in answers and f"GET /calls/{number}" in answers


def test_the_largest_possible_id_is_looked_up_and_simply_not_found(app, people):
    client = app.test_client()
    for url in (f"/api/v1/bookings/{LARGEST_ID}", f"/api/v1/departments/{LARGEST_ID}"):
        response = client.get(url, headers=people["elena"])
        assert response.status_code == 404 and response.mimetype == "application/problem+json"


def _body_endpoints(people) -> list[tuple[str, str]]:
    """(url, whose token) for every API operation that reads a body, called by someone allowed to."""
    booking = people["booking"]
    return [
        ("/api/v1/bookings", "jelena"),
        ("/api/v1/bookings/preview", "jelena"),
        (f"/api/v1/bookings/{booking}/cancel", "jelena"),
        (f"/api/v1/bookings/{booking}/reschedule", "jelena"),
        (f"/api/v1/bookings/{booking}/outcome", "jelena"),
        (f"/api/v1/bookings/{booking}/objections", "jelena"),
        (f"/api/v1/bookings/{booking}/assign", "elena"),
        ("/api/v1/offers/1/decline", "mariam"),
    ]


@pytest.mark.parametrize("body", NOT_OBJECTS, ids=lambda body: body.decode() or "empty")
def test_a_body_that_is_not_a_json_object_is_a_422_naming_the_body(app, people, body):
    client = app.test_client()
    for url, who in _body_endpoints(people):
        response = client.post(url, data=body, content_type="application/json", headers=people[who])
        assert response.status_code == 422, (url, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["invalid_params"] == [
            {"name": "body", "reason": "Send a JSON object with Content-Type application/json."}
        ], url


@pytest.mark.parametrize("number", [BEYOND_64_BITS, LARGEST_ID + 1, 0, -1, True])
def test_an_id_in_a_body_that_no_record_can_have_is_a_422_naming_the_field(app, people, number):
    client = app.test_client()
    booking = people["booking"]
    calls = [
        (f"/api/v1/bookings/{booking}/assign", "elena", {"interpreter_id": number}, "interpreter_id"),
        (f"/api/v1/bookings/{booking}/objections", "jelena", {"interpreter_id": number}, "interpreter_id"),
        (
            "/api/v1/bookings/preview",
            "jelena",
            {
                "applicant_language": "pus",
                "officer_language": "srp",
                "session_kind": "registration",
                "start_local": "2026-01-13T09:00",
                "case_reference": "RS-1",
                "department_id": number,
            },
            "department_id",
        ),
    ]
    for url, who, body, field in calls:
        response = client.post(url, json=body, headers=people[who])
        assert response.status_code == 422, (url, response.get_json())
        assert field in {item["name"] for item in response.get_json()["invalid_params"]}


def test_assigning_an_interpreter_id_beyond_64_bits_on_the_page_is_refused_with_the_form(app, browser, people):
    browser.sign_in("elena@marri.example", factories.PASSWORD)
    booking = people["booking"]
    response = browser.submit(
        f"/bookings/{booking}",
        {"interpreter_id": str(BEYOND_64_BITS), "leg": "1"},
        post_to=f"/bookings/{booking}/assign",
    )
    assert response.status_code == 422
    assert "Choose an interpreter." in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_a_method_no_route_takes_is_a_405_that_says_which_are_allowed(app, people, browser, method):
    browser.sign_in("elena@marri.example", factories.PASSWORD)
    api = app.test_client().open(f"/api/v1/bookings/{people['booking']}", method=method, headers=people["elena"])
    assert api.status_code == 405 and api.mimetype == "application/problem+json"
    assert set(api.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = browser.client.open("/bookings", method=method)
    assert page.status_code == 405
    assert "GET" in page.headers["Allow"]


NUL_MESSAGE = "Remove the invisible NUL character (U+0000) from this value."


def test_a_nul_character_in_a_query_or_a_json_body_is_a_422_naming_the_field(app, people):
    client = app.test_client()
    search = client.get("/api/v1/languages", query_string={"q": "pa\x00sh"}, headers=people["jelena"])
    assert search.status_code == 422 and search.mimetype == "application/problem+json"
    assert search.get_json()["invalid_params"] == [{"name": "q", "reason": NUL_MESSAGE}]
    body = {"applicant_language": "pus", "officer_language": "srp", "case_reference": "RS-\x00-1"}
    preview = client.post("/api/v1/bookings/preview", json=body, headers=people["jelena"])
    assert preview.status_code == 422
    assert [item["name"] for item in preview.get_json()["invalid_params"]] == ["case_reference"]


def test_a_nul_character_in_a_form_is_refused_naming_the_field_and_changes_nothing(app, browser, people):
    browser.sign_in("elena@marri.example", factories.PASSWORD)
    booking = people["booking"]
    page = browser.client.get(f"/bookings/{booking}").get_data(as_text=True)
    response = browser.submit(
        f"/bookings/{booking}", {"interpreter_id": "1\x00", "leg": "1"}, post_to=f"/bookings/{booking}/assign"
    )
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert browser.client.get(f"/bookings/{booking}").get_data(as_text=True).count("Mariam") == page.count("Mariam")
