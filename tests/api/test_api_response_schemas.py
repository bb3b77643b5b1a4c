"""The OpenAPI document's response schemas are exact: a real answer matches, and one that lost a
field, gained one or changed a type does not, so schemathesis's schema check (`test_api_schema`)
catches such a change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest

from rris.api.openapi import openapi_document
from rris.api.openapi_reports import REPORT_SCHEMAS
from rris.api.openapi_responses import RESPONSE_SCHEMAS
from rris.enums import BookingState
from tests.api.test_bookings_api import REQUEST, setup, token_for  # noqa: F401  (setup is a fixture)


def validator(name: str) -> Any:
    """A validator for the component schema `name`, its references resolved in the document."""
    components = openapi_document()["components"]
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{name}", "components": components})


def errors(name: str, body: Any) -> list[str]:
    return [f"{list(error.instance_path)}: {error.message}" for error in validator(name).iter_errors(body)]


def objects_in(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object schema nested in `schema`."""
    if isinstance(schema, dict):
        if "properties" in schema:
            yield schema
        for value in schema.values():
            yield from objects_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from objects_in(value)


def test_a_booking_that_lost_a_field_or_changed_a_type_no_longer_matches(app, setup):  # noqa: F811
    client = app.test_client()
    created = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"])
    assert created.status_code == 201
    booking = created.get_json()
    assert errors("Booking", booking) == []

    for field in booking:
        without = {name: value for name, value in booking.items() if name != field}
        assert errors("Booking", without), f"a booking without {field!r} still matches"
    assert errors("Booking", {**booking, "applicant_name": "A. Applicant"}) == [
        "[]: Additional properties are not allowed ('applicant_name' was unexpected)"
    ]
    assert errors("Booking", {**booking, "id": str(booking["id"])}) == [
        f'[\'id\']: "{booking["id"]}" is not of type "integer"'
    ]
    assert errors("Booking", {**booking, "state": "booked"})
    assert errors("Booking", {**booking, "relay": "false"})
    assert errors("Booking", {**booking, "start_local": "13.01.2026 09:00"})
    assert errors("Booking", {**booking, "department": {**booking["department"], "country": "RS"}})
    assert errors("Booking", {**booking, "allowed_actions": ["teleport"]})


def test_an_interpreter_sees_nulls_where_the_case_data_would_be_and_that_matches(app, setup):  # noqa: F811
    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    offers = client.get("/api/v1/offers", headers=setup["mariam"]).get_json()
    assert errors("Offer", offers["items"][0]) == []
    assert errors("Offer", {**offers["items"][0], "booking": {**offers["items"][0]["booking"], "notes": "x"}})

    offered = client.get(f"/api/v1/bookings/{booking_id}", headers=setup["mariam"]).get_json()
    assert offered["case_reference"] is None and offered["notes"] is None
    assert errors("Booking", offered) == []
    assert errors("Booking", {**offered, "case_reference": 42})


def test_a_problem_matches_its_own_schema_and_nothing_looser(app, setup):  # noqa: F811
    response = app.test_client().post(
        "/api/v1/bookings", json={**REQUEST, "duration_minutes": "long"}, headers=setup["jelena"]
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert errors("Problem", problem) == []
    assert errors("Problem", {name: value for name, value in problem.items() if name != "title"})
    assert errors("Problem", {**problem, "status": "422"})
    assert errors("Problem", {**problem, "invalid_params": [{"field": "duration_minutes"}]})
    assert errors("Booking", problem), "an error must never pass for a booking"


def test_the_document_lists_states_from_the_enum_itself():
    states = RESPONSE_SCHEMAS["Booking"]["properties"]["state"]["enum"]
    assert states == [state.value for state in BookingState]


@pytest.mark.parametrize("name", sorted({**RESPONSE_SCHEMAS, **REPORT_SCHEMAS}))
def test_every_response_object_names_all_its_fields_and_allows_no_other(name):
    for schema in objects_in({**RESPONSE_SCHEMAS, **REPORT_SCHEMAS}[name]):
        assert schema["additionalProperties"] is False, schema
        assert set(schema["required"]) <= set(schema["properties"]), schema
