"""The on-demand API as a case system and an interpreter's own tools use it: ask for an interpreter
now (ringing, queued, or none available), follow and give up; switch "available now" and answer
rings. Every answer matches its schema in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import jsonschema_rs
from sqlalchemy import func, select

from rris.api.openapi import openapi_document
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall
from tests.api.test_bookings_api import token_for
from tests.support.ondemand_people import NOW, karim_on_call
from tests.support.twilio_recorder import changed_settings

ASK = {"applicant_language": "pus", "officer_language": "srp", "case_reference": "RS-NOW-0042"}


def matches(name, body) -> list[str]:
    document = openapi_document()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    validator = jsonschema_rs.validator_for(schema)
    return [error.message for error in validator.iter_errors(body)]


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OnDemandCall)) or 0


def test_a_case_system_asks_for_pashto_now_follows_it_and_the_interpreter_takes_it(app, people):
    client = app.test_client()
    jelena, nadia = token_for(app, "jelena@mup.rs.example"), token_for(app, "nadia@pool.example")

    asked = client.post("/api/v1/now/requests", json=ASK, headers=jelena)
    assert asked.status_code == 201, asked.get_json()
    body = asked.get_json()
    assert matches("OnDemandCall", body) == []
    assert body["state"] == "ringing" and body["position"] is None and body["expected_wait_seconds"] is None
    assert body["call_url"] is None and body["requested_at"] == "2026-01-12T08:00:00Z"
    assert asked.headers["Location"] == f"/api/v1/now/requests/{body['id']}"

    rings = client.get("/api/v1/now/rings", headers=nadia).get_json()["items"]
    assert matches("Ring", rings[0]) == []
    assert rings[0]["summary"] == "Pashto and Serbian, for Serbia: Reception"
    assert rings[0]["until"] == "2026-01-12T08:00:30Z" and rings[0]["call_id"] == body["id"]

    app.extensions["rris.clock"].set(NOW + timedelta(seconds=12))
    taken = client.post(f"/api/v1/now/rings/{rings[0]['id']}/accept", headers=nadia)
    assert taken.status_code == 200 and matches("RingAccepted", taken.get_json()) == []
    assert taken.get_json() == {"call_id": body["id"], "booking_id": body["booking_id"],
                                "call_url": f"/calls/{body['booking_id']}"}  # fmt: skip

    followed = client.get(f"/api/v1/now/requests/{body['id']}", headers=jelena).get_json()
    assert followed["state"] == "answered" and followed["call_url"] == f"/calls/{body['booking_id']}"
    assert followed["position"] is None and followed["expected_wait_seconds"] is None
    gave_up = client.post(f"/api/v1/now/requests/{body['id']}/abandon", headers=jelena)
    assert gave_up.status_code == 409 and gave_up.mimetype == "application/problem+json"

    again = client.post("/api/v1/now/requests", json={**ASK, "wait": True}, headers=jelena)
    assert again.get_json()["state"] == "ringing"  # Mariam is still free
    queued = client.post("/api/v1/now/requests", json={**ASK, "wait": True}, headers=jelena).get_json()
    assert queued["state"] == "waiting" and queued["position"] == 2  # behind the one ringing Mariam
    assert queued["expected_wait_seconds"] == 12, "the median of recent answer times in this queue"


def test_none_available_is_a_clear_answer_that_stores_nothing(app, people):
    client = app.test_client()
    jelena = token_for(app, "jelena@mup.rs.example")
    answer = client.post("/api/v1/now/requests", json={**ASK, "gender": "male", "gender_rule": "required"},
                         headers=jelena)  # fmt: skip
    assert answer.status_code == 200
    body = answer.get_json()
    assert matches("NoneAvailable", body) == []
    assert body["answer"] == "none_available" and body["gender_required"] is True
    assert "The required gender is never relaxed." in body["detail"]
    assert stored(app) == 0

    waiting = client.post("/api/v1/now/requests", json={**ASK, "gender": "male", "gender_rule": "required",
                                                         "wait": True}, headers=jelena)  # fmt: skip
    assert waiting.status_code == 201 and waiting.get_json()["state"] == "waiting"
    call_id = waiting.get_json()["id"]
    abandoned = client.post(f"/api/v1/now/requests/{call_id}/abandon", headers=jelena)
    assert abandoned.status_code == 200 and abandoned.get_json()["state"] == "abandoned"
    assert abandoned.get_json()["position"] is None


def test_none_available_says_when_on_call_interpreters_would_be_phoned_if_it_waits(app, people, clock):
    karim_on_call(app)
    client = app.test_client()
    jelena = token_for(app, "jelena@mup.rs.example")
    clock.set(NOW + timedelta(hours=1))  # Mariam's and Nadia's pages last beat an hour ago
    with changed_settings(app, ondemand_phone_after_seconds=60):
        body = client.post("/api/v1/now/requests", json=ASK, headers=jelena).get_json()
        assert matches("NoneAvailable", body) == []
        assert body["answer"] == "none_available" and body["phone_after_seconds"] == 60
        assert "If it waits and nobody has answered after 60 seconds, the interpreters on call" in body["detail"]
        for_a_woman = client.post("/api/v1/now/requests", json={**ASK, "gender": "female",
                                                                "gender_rule": "required"}, headers=jelena)  # fmt: skip
        assert for_a_woman.get_json()["phone_after_seconds"] is None, "Karim is male: the gender is never relaxed"
        assert matches("NoneAvailable", for_a_woman.get_json()) == []
    with changed_settings(app, ondemand_phone_after_seconds=0):
        off = client.post("/api/v1/now/requests", json=ASK, headers=jelena).get_json()
        assert off["phone_after_seconds"] is None and "phoned" not in off["detail"]
    assert stored(app) == 0


def test_the_same_idempotency_key_answers_the_same_request_and_creates_nothing_twice(app, people):
    client = app.test_client()
    headers = {**token_for(app, "jelena@mup.rs.example"), "Idempotency-Key": "rs-reception-0042"}
    first = client.post("/api/v1/now/requests", json=ASK, headers=headers)
    second = client.post("/api/v1/now/requests", json=ASK, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"] and stored(app) == 1
    assert "Idempotent-Replayed" not in first.headers and second.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/now/requests", json={**ASK, "case_reference": "RS-NOW-0043"}, headers=headers)
    assert other.status_code == 422
    assert [item["name"] for item in other.get_json()["invalid_params"]] == ["Idempotency-Key"]


def test_bad_bodies_are_refused_by_field_and_scopes_hold(app, people):
    client = app.test_client()
    jelena, arben = token_for(app, "jelena@mup.rs.example"), token_for(app, "arben@asylum.al.example")
    for changes, field in [
        ({"applicant_language": "xxq"}, "applicant_language"),
        ({"case_reference": "   "}, "case_reference"),
        ({"session_kind": "picnic"}, "session_kind"),
        ({"wait": "yes"}, "wait"),
        ({"state": "answered"}, "state"),
        ({"gender_rule": "required"}, "gender"),
    ]:
        refused = client.post("/api/v1/now/requests", json={**ASK, **changes}, headers=jelena)
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json", changes
        assert [item["name"] for item in refused.get_json()["invalid_params"]] == [field]
    assert stored(app) == 0

    call_id = client.post("/api/v1/now/requests", json=ASK, headers=jelena).get_json()["id"]
    assert client.get(f"/api/v1/now/requests/{call_id}", headers=arben).status_code == 404
    assert client.post(f"/api/v1/now/requests/{call_id}/abandon", headers=arben).status_code == 404
    mariam = token_for(app, "mariam@pool.example")
    assert client.post("/api/v1/now/requests", json=ASK, headers=mariam).status_code == 403
    assert client.get("/api/v1/now/availability", headers=jelena).status_code == 403
    assert client.get("/api/v1/now/rings", headers=jelena).status_code == 403


def test_an_interpreter_switches_availability_and_declines_by_the_api(app, people):
    client = app.test_client()
    karim, jelena, mariam = (token_for(app, email) for email in
                             ("karim@pool.example", "jelena@mup.rs.example", "mariam@pool.example"))  # fmt: skip
    before = client.get("/api/v1/now/availability", headers=karim).get_json()
    assert before == {"available": False, "reachable": False, "heartbeat_seconds": 10}
    switched = client.post("/api/v1/now/availability", json={"available": True}, headers=karim)
    assert switched.status_code == 200 and matches("Presence", switched.get_json()) == []
    assert switched.get_json() == {"available": True, "reachable": True, "heartbeat_seconds": 10}
    app.extensions["rris.clock"].set(NOW + timedelta(seconds=21))
    assert client.get("/api/v1/now/availability", headers=karim).get_json()["reachable"] is False
    refused = client.post("/api/v1/now/availability", json={"available": "yes"}, headers=karim)
    assert refused.status_code == 422 and refused.get_json()["invalid_params"][0]["name"] == "available"

    app.extensions["rris.clock"].set(NOW)
    client.post("/api/v1/now/requests", json=ASK, headers=jelena)
    ring = client.get("/api/v1/now/rings", headers=mariam).get_json()["items"][0]
    assert client.post(f"/api/v1/now/rings/{ring['id']}/accept", headers=karim).status_code == 404
    declined = client.post(f"/api/v1/now/rings/{ring['id']}/decline", headers=mariam)
    assert declined.status_code == 200 and declined.get_json() == {"status": "declined"}
    assert client.get("/api/v1/now/rings", headers=mariam).get_json() == {"items": []}
    again = client.post(f"/api/v1/now/rings/{ring['id']}/decline", headers=mariam)
    assert again.status_code == 409
