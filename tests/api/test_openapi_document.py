"""The document's request part is generated from the shapes that validate the requests, so the
document and the server agree on what a body may hold: a body the document refuses, the server
refuses naming the same field, and one it allows gets past the shape."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from rris.api.openapi import OPERATIONS, openapi_document
from rris.bookings.models.bookings import CASE_REFERENCE_MAX_CHARS, NOTES_MAX_CHARS
from rris.bookings.services.booking_requests import BookingRequest
from tests.api.test_bookings_api import REQUEST, setup, token_for  # noqa: F401  (setup is a fixture)


def body_validator(path: str) -> Any:
    document = openapi_document()
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": document["components"]})


def test_every_operation_that_reads_a_body_or_a_query_names_its_shape_in_the_document():
    document = openapi_document()
    for item in OPERATIONS:
        operation = document["paths"][item.path][item.method]
        if item.body:
            content = operation["requestBody"]["content"]["application/json"]
            assert content["schema"] == {"$ref": f"#/components/schemas/{item.body.__name__}"}
        if item.query:
            named = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
            assert named == set(item.query.model_fields)


def test_the_booking_request_in_the_document_is_the_shape_itself():
    schema = openapi_document()["components"]["schemas"]["BookingRequest"]
    assert set(schema["properties"]) == set(BookingRequest.model_fields)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["case_reference"]["maxLength"] == CASE_REFERENCE_MAX_CHARS
    notes = {"maxLength": NOTES_MAX_CHARS, "type": "string", "not": {"pattern": "\\x00"}}
    assert notes in schema["properties"]["notes"]["anyOf"]
    assert schema["required"] == ["applicant_language", "officer_language", "session_kind", "start_local",
                                  "case_reference"]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 14}, "duration_minutes"),
        ({"duration_minutes": "120"}, "duration_minutes"),
        ({"start_local": "13.01.2026 09:00"}, "start_local"),
        ({"start_occurrence": 2}, "start_occurrence"),
        ({"case_reference": "   "}, "case_reference"),
        ({"case_reference": "R" * (CASE_REFERENCE_MAX_CHARS + 1)}, "case_reference"),
        ({"session_kind": "chat"}, "session_kind"),
        ({"specialisations": ["torture"]}, "specialisations"),
        ({"continuity": 1}, "continuity"),
        ({"department_id": 0}, "department_id"),
        ({"cost": 10}, "cost"),
    ],
)
def test_a_body_the_document_refuses_the_server_refuses_by_the_same_field(app, setup, changes, field):  # noqa: F811
    body = {**REQUEST, **changes}
    assert not body_validator("/api/v1/bookings").is_valid(body)
    response = app.test_client().post("/api/v1/bookings", json=body, headers=setup["jelena"])
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [item["name"] for item in response.get_json()["invalid_params"]] == [field]


def test_a_body_the_document_allows_gets_past_the_shape(app, setup):  # noqa: F811
    body = {
        **REQUEST,
        "start_local": "2026-01-13 09:00:00",
        "start_occurrence": None,
        "modality": "phone",
        "specialisations": ["trauma", "children"],
        "continuity": True,
        "gender": None,
    }
    assert body_validator("/api/v1/bookings").is_valid(body)
    response = app.test_client().post("/api/v1/bookings", json=body, headers=setup["jelena"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["modality"] == "phone" and response.get_json()["start_local"] == "2026-01-13T09:00"


def test_every_text_a_request_sends_is_described_without_the_nul_character_the_portal_refuses():
    texts = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and "enum" not in node and "format" not in node:
                texts.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    document = openapi_document()
    walk([document["components"]["schemas"][name] for name in ("BookingRequest", "LanguageSearch")])
    free_texts = [text for text in texts if "pattern" not in text]  # a pattern of ours names what it takes
    assert free_texts and all(text.get("not") == {"pattern": "\\x00"} for text in free_texts)
    search = document["components"]["schemas"]["LanguageSearch"]["properties"]["q"]
    assert search["not"] == {"pattern": "\\x00"}
