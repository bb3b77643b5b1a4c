"""The bookings API as a national case system and an interpreter use it."""

import pytest

from rris.enums import Role
from tests import factories
from tests.conftest import committed

REQUEST = {
    "applicant_language": "pus",
    "officer_language": "srp",
    "session_kind": "asylum_interview",
    "start_local": "2026-01-13T09:00",
    "duration_minutes": 120,
    "case_reference": "RS-2026-0042",
    "notes": "Second interview; the applicant prefers short sentences.",
}


def token_for(app, email):
    result = app.test_cli_runner().invoke(args=["tokens", "create", email])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.output.strip()}"}


@pytest.fixture
def setup(app):
    with committed(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        factories.caseworker("AL", email="arben@asylum.al.example")
        mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),))
        omid = factories.interpreter(email="omid@pool.example", pairs=(("pus", "srp"),))
        factories.user(Role.COORDINATOR, email="elena@marri.example")
        ids = {"mariam": mariam.id, "omid": omid.id}
    return {
        "ids": ids,
        "jelena": token_for(app, "jelena@mup.rs.example"),
        "arben": token_for(app, "arben@asylum.al.example"),
        "mariam": token_for(app, "mariam@pool.example"),
        "omid": token_for(app, "omid@pool.example"),
        "elena": token_for(app, "elena@marri.example"),
    }


def test_a_case_system_books_and_sees_the_time_in_utc_and_locally(app, setup):
    client = app.test_client()
    response = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "offered"
    assert body["starts_at"] == "2026-01-13T08:00:00Z" and body["start_local"] == "2026-01-13T09:00"
    assert response.headers["Location"].endswith(f"/api/v1/bookings/{body['id']}")
    assert "cancel" in body["allowed_actions"] and "assign" not in body["allowed_actions"]


def test_fields_the_caller_may_not_set_are_refused_by_name(app, setup):
    response = app.test_client().post(
        "/api/v1/bookings",
        json={**REQUEST, "state": "confirmed", "cost": 10, "applicant_name": "x"},
        headers=setup["jelena"],
    )
    assert response.status_code == 422
    names = {item["name"] for item in response.get_json()["invalid_params"]}
    assert names == {"state", "cost", "applicant_name"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_local": "2026-01-01T09:00"}, "start_local"),
        ({"start_local": "2026-03-29T02:30"}, "start_local"),
        ({"start_local": "2026-10-25T02:30"}, "start_occurrence"),  # which of the two 02:30s
        ({"start_local": "0001-01-01T00:10"}, "start_local"),  # the zone overflowed: a 500
        ({"start_local": "9999-12-31T23:00"}, "start_local"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 600}, "duration_minutes"),
        ({"applicant_language": "xxq"}, "applicant_language"),
        ({"officer_language": "pus"}, "officer_language"),
        ({"officer_language": "xxq"}, "officer_language"),  # both codes are checked in one query
        ({"notes": "n" * 1001}, "notes"),
        ({"duration_minutes": "two hours"}, "duration_minutes"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(app, setup, changes, field):
    response = app.test_client().post("/api/v1/bookings", json={**REQUEST, **changes}, headers=setup["jelena"])
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in {item["name"] for item in response.get_json()["invalid_params"]}


def test_language_codes_are_taken_in_any_case_and_stored_as_iso_codes(app, setup):
    body = {**REQUEST, "applicant_language": " PUS ", "officer_language": "Srp"}
    response = app.test_client().post("/api/v1/bookings", json=body, headers=setup["jelena"])
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["applicant_language"], response.get_json()["officer_language"]) == ("pus", "srp")


def test_the_october_repeat_without_a_choice_is_asked_in_words(app, setup):
    body = {**REQUEST, "start_local": "2026-10-25T02:30", "duration_minutes": 60}
    response = app.test_client().post("/api/v1/bookings", json=body, headers=setup["jelena"])
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    reasons = {item["name"]: item["reason"] for item in response.get_json()["invalid_params"]}
    assert reasons["start_occurrence"] == (
        "The clocks go back that night in Europe/Belgrade, so 02:30 happens twice: "
        "the first 02:30 (summer time, CEST) or the second 02:30 (winter time, CET)?"
    )


def test_notes_over_the_limit_are_refused_not_cut(app, setup):
    body = {**REQUEST, "notes": "n" * 1001}
    response = app.test_client().post("/api/v1/bookings", json=body, headers=setup["jelena"])
    assert response.status_code == 422
    reasons = {item["name"]: item["reason"] for item in response.get_json()["invalid_params"]}
    assert "at most 1000 characters; these have 1001" in reasons["notes"]


def test_the_october_repeat_is_accepted_once_the_caller_says_which(app, setup):
    body = {**REQUEST, "start_local": "2026-10-25T02:30", "start_occurrence": 1, "duration_minutes": 60}
    response = app.test_client().post("/api/v1/bookings", json=body, headers=setup["jelena"])
    assert response.status_code == 201
    assert response.get_json()["starts_at"] == "2026-10-25T01:30:00Z"


def test_a_retried_request_with_the_same_key_creates_nothing_twice(app, setup):
    client = app.test_client()
    headers = {**setup["jelena"], "Idempotency-Key": "srb-ams-77-1"}
    first = client.post("/api/v1/bookings", json=REQUEST, headers=headers)
    again = client.post("/api/v1/bookings", json=REQUEST, headers=headers)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/bookings", headers=setup["jelena"]).get_json()["items"]) == 1
    other = client.post("/api/v1/bookings", json={**REQUEST, "duration_minutes": 60}, headers=headers)
    assert other.status_code == 422


def test_another_countrys_caseworker_gets_404(app, setup):
    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=setup["arben"]).status_code == 404
    assert client.get("/api/v1/bookings", headers=setup["arben"]).get_json()["items"] == []


def test_an_interpreter_accepts_and_the_second_gets_409(app, setup):
    client = app.test_client()
    client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"])
    mariam_offer = client.get("/api/v1/offers", headers=setup["mariam"]).get_json()["items"][0]
    omid_offer = client.get("/api/v1/offers", headers=setup["omid"]).get_json()["items"][0]
    assert mariam_offer["start_local"] == "2026-01-13T12:30" and mariam_offer["timezone"] == "Asia/Kabul"
    accepted = client.post(f"/api/v1/offers/{mariam_offer['id']}/accept", headers=setup["mariam"])
    assert accepted.status_code == 200 and accepted.get_json()["state"] == "confirmed"
    late = client.post(f"/api/v1/offers/{omid_offer['id']}/accept", headers=setup["omid"])
    assert late.status_code == 409
    assert "Another interpreter accepted this job first" in late.get_json()["detail"]


def test_an_interpreter_cannot_answer_someone_elses_offer(app, setup):
    client = app.test_client()
    client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"])
    offer = client.get("/api/v1/offers", headers=setup["mariam"]).get_json()["items"][0]
    assert client.post(f"/api/v1/offers/{offer['id']}/accept", headers=setup["omid"]).status_code == 404


def test_cancelling_twice_is_a_409_not_a_500(app, setup):
    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    first = client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "withdrawn"}, headers=setup["jelena"])
    assert first.get_json()["state"] == "cancelled"
    again = client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "again"}, headers=setup["jelena"])
    assert again.status_code == 409


def test_coordinators_see_why_each_interpreter_does_or_does_not_fit(app, setup):
    client = app.test_client()
    with committed(app):
        factories.interpreter(email="far@pool.example", pairs=(("pus", "srp"),), accredited_for=("AL",))
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    explained = client.get(f"/api/v1/bookings/{booking_id}/candidates", headers=setup["elena"]).get_json()
    assert explained["eligible_count"] == 2
    reasons = {r["reason"] for row in explained["rejections"] for r in row["reasons"]}
    assert "not_accredited" in reasons
    assert client.get(f"/api/v1/bookings/{booking_id}/candidates", headers=setup["jelena"]).status_code == 403


def test_the_reasons_are_stable_codes_and_values_worded_in_the_language_the_request_asks_for(app, setup):
    client = app.test_client()
    with committed(app):
        albania = factories.interpreter(email="far@pool.example", pairs=(("pus", "srp"),), accredited_for=("AL",))
        serbia_id = factories.country("RS").id
        albania_id = albania.id
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    url = f"/api/v1/bookings/{booking_id}/candidates"
    english = client.get(url, headers=setup["elena"]).get_json()
    serbian = client.get(url, headers={**setup["elena"], "Accept-Language": "sr-Cyrl-RS"}).get_json()

    def left_out(answer):
        (row,) = [row for row in answer["rejections"] if row["interpreter_id"] == albania_id]
        return row["reasons"]

    values = {"country_id": serbia_id, "date": "2026-01-13"}
    assert [(r["reason"], r["values"]) for r in left_out(english)] == [("not_accredited", values)]
    assert [(r["reason"], r["values"]) for r in left_out(serbian)] == [("not_accredited", values)]
    assert left_out(english)[0]["detail"] == "Not accredited for this country on 13 Jan 2026."
    assert left_out(serbian)[0]["detail"] == "На дан 13. јан 2026. није акредитован за ову земљу."

    local_hour = {c["name"]: c for c in english["matches"][0]["components"]}["local_hour"]
    assert local_hour["basis"] == "local_hours"
    assert local_hour["values"] == {
        "timezone": "Asia/Kabul",
        "start": "2026-01-13T08:00:00Z",
        "end": "2026-01-13T10:00:00Z",
    }
    assert local_hour["detail"].startswith("On the interpreter's clock: Tue, 13 Jan, 12:30")
    serbian_hour = {c["name"]: c for c in serbian["matches"][0]["components"]}["local_hour"]
    assert serbian_hour["basis"] == "local_hours" and serbian_hour["values"] == local_hour["values"]
    assert serbian_hour["detail"].startswith("По времену преводиоца: уто 13. јан 12:30")


def test_the_preview_suggests_other_times_when_everyone_is_busy(app, setup):
    client = app.test_client()
    sunday = {**REQUEST, "start_local": "2026-01-18T09:00"}  # nobody works on Sundays
    preview = client.post("/api/v1/bookings/preview", json=sunday, headers=setup["jelena"]).get_json()
    assert preview["eligible_count"] == 0
    assert len(preview["suggestions"]) >= 3
    assert all(item["start_local"] > "2026-01-18T09:00" for item in preview["suggestions"])


def test_every_read_of_a_bookings_details_is_recorded(app, setup):
    from sqlalchemy import select

    from rris.audit.models.entries import AuditEntry
    from rris.extensions import db

    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    client.get(f"/api/v1/bookings/{booking_id}", headers=setup["jelena"])
    client.get(f"/api/v1/bookings/{booking_id}", headers=setup["elena"])
    client.get(f"/api/v1/bookings/{booking_id}", headers=setup["arben"])  # 404: not theirs, nothing read
    with app.app_context():
        reads = db.session.execute(
            select(AuditEntry.subject_id, AuditEntry.details, AuditEntry.origin).where(
                AuditEntry.action == "booking.read"
            )
        ).all()
    assert [tuple(read) for read in reads] == [(str(booking_id), {"channel": "api"}, "127.0.0.1")] * 2


def test_an_outcome_is_recorded_once_the_session_has_started(app, setup, clock):
    from datetime import timedelta

    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    offer = client.get("/api/v1/offers", headers=setup["mariam"]).get_json()["items"][0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=setup["mariam"])
    url = f"/api/v1/bookings/{booking_id}/outcome"
    early = client.post(url, json={"outcome": "mark_applicant_no_show"}, headers=setup["jelena"])
    assert early.status_code == 409
    clock.advance(timedelta(days=1, minutes=10))  # 08:10 UTC on the 13th: ten minutes in
    wrong = client.post(url, json={"outcome": "complete"}, headers=setup["jelena"])
    assert wrong.status_code == 422
    done = client.post(
        url, json={"outcome": "mark_applicant_no_show", "note": "Waited 20 minutes"}, headers=setup["jelena"]
    )
    assert done.get_json()["state"] == "applicant_no_show"
    again = client.post(url, json={"outcome": "mark_wrong_language"}, headers=setup["jelena"])
    assert again.status_code == 409


def test_an_outcome_note_over_the_limit_is_refused_by_name_not_cut(app, setup, clock):
    from datetime import timedelta

    from sqlalchemy import select

    from rris.bookings.models.bookings import BookingEvent
    from rris.bookings.services.bookings import OUTCOME_NOTE_MAX_CHARS
    from rris.extensions import db

    client = app.test_client()
    booking_id = client.post("/api/v1/bookings", json=REQUEST, headers=setup["jelena"]).get_json()["id"]
    offer = client.get("/api/v1/offers", headers=setup["mariam"]).get_json()["items"][0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=setup["mariam"])
    clock.advance(timedelta(days=1, minutes=10))
    url = f"/api/v1/bookings/{booking_id}/outcome"
    long_note = "Waited, called twice, no answer. " * 16  # 528 characters
    refused = client.post(url, json={"outcome": "mark_applicant_no_show", "note": long_note}, headers=setup["jelena"])
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    reasons = {item["name"]: item["reason"] for item in refused.get_json()["invalid_params"]}
    assert reasons == {"note": "A note takes at most 500 characters; this one has 527. Shorten it."}
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=setup["jelena"]).get_json()["state"] == "confirmed"
    exact = "x" * OUTCOME_NOTE_MAX_CHARS
    done = client.post(url, json={"outcome": "mark_applicant_no_show", "note": exact}, headers=setup["jelena"])
    assert done.status_code == 200 and done.get_json()["state"] == "applicant_no_show"
    with app.app_context():
        notes = db.session.scalars(
            select(BookingEvent.note).where(
                BookingEvent.booking_id == booking_id, BookingEvent.action == "mark_applicant_no_show"
            )
        ).all()
    assert notes == [exact]
