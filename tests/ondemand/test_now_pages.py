"""The officer's "Interpreter now" pages: asking, being told nobody suitable is reachable (and that a
required gender stays required, and whether on-call interpreters would be phoned), waiting in line,
following the request live, giving up, and landing on the call page once an interpreter answers.
Real HTTP through the test client, both databases, the clock frozen."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from rris.extensions import db
from rris.ondemand.domain.presence_tickets import PresenceKind, read_presence_ticket
from rris.ondemand.domain.states import CallState
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from tests.conftest import TEST_SECRET_KEY
from tests.support.ondemand_people import NOW, PASHTO_NOW, SIGNALING, json_block, karim_on_call, signed_in
from tests.support.page_strings import script_strings
from tests.support.twilio_recorder import changed_settings


def calls(app) -> list[SimpleNamespace]:
    """The requests stored, as plain values read in a context of their own."""
    with app.app_context():
        return [
            SimpleNamespace(
                id=call.id,
                state=call.state,
                booking_id=call.booking_id,
                abandoned_at=call.abandoned_at,
                gender_rule=call.booking.gender_rule.value,
            )
            for call in db.session.scalars(select(OnDemandCall).order_by(OnDemandCall.id))
        ]


def ask(browser, **changes):
    return browser.submit("/now", {**PASHTO_NOW, **changes})


def test_the_nav_offers_an_interpreter_now_to_whoever_books(browser, people):
    page = signed_in(browser, "jelena@mup.rs.example").get("/now").get_data(as_text=True)
    assert 'href="/now" aria-current="page">Interpreter now</a>' in page
    assert 'name="case_reference"' in page and 'name="applicant_identifier"' in page
    assert "<option selected value=\"reception\">" in page  # the usual first contact


def test_an_officer_asks_for_pashto_and_follows_the_request_until_an_interpreter_answers(
    app, browser, another_browser, people
):
    signed_in(browser, "jelena@mup.rs.example")
    asked = ask(browser)
    assert asked.status_code == 302
    (call,) = calls(app)
    assert asked.location == f"/now/requests/{call.id}" and call.state is CallState.RINGING

    status = browser.get(asked.location)
    page = status.get_data(as_text=True)
    assert status.status_code == 200
    assert "Ringing: the best suitable interpreters are being called now." in page
    assert 'id="now-position" hidden' in page, "the place in the queue is for a request that waits"
    assert "<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>" in page
    assert "connect-src 'self' ws://127.0.0.1:8765" in status.headers["Content-Security-Policy"]
    config = json_block(page, "now-config")
    assert config["live_url"] == f"{SIGNALING}/ondemand/ws"
    assert config["ticket_url"] == f"/now/requests/{call.id}/ticket"
    assert config["status_url"] == f"/api/v1/now/requests/{call.id}"
    ticket = read_presence_ticket(config["ticket"], TEST_SECRET_KEY, NOW)
    assert (ticket.kind, ticket.user_id, ticket.call_id) == (PresenceKind.OFFICER, people.jelena, call.id)
    assert script_strings(page)["state_answered"] == "An interpreter answered. Opening the call…"

    fresh = browser.get(f"/now/requests/{call.id}/ticket")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    assert read_presence_ticket(fresh.get_json()["ticket"], TEST_SECRET_KEY, NOW).call_id == call.id

    signed_in(another_browser, "mariam@pool.example")
    with app.app_context():
        ring_id = db.session.scalar(select(OnDemandRing.id).where(OnDemandRing.interpreter_id == people.mariam))
    accepted = another_browser.submit("/now/available", {}, post_to=f"/now/available/rings/{ring_id}/accept")
    assert accepted.status_code == 302 and accepted.location == f"/calls/{call.booking_id}"

    answered = browser.get(f"/now/requests/{call.id}")
    assert answered.status_code == 302 and answered.location == f"/calls/{call.booking_id}"


def test_nobody_suitable_with_a_required_gender_is_told_it_stays_required_and_may_wait_or_book(
    app, browser, people
):
    signed_in(browser, "jelena@mup.rs.example")
    answer = ask(browser, gender_rule="required", gender="male", applicant_identifier="RS 2026/0007")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Nobody suitable is reachable now" in page
    assert "You asked for an interpreter of this gender as a requirement: male." in page
    assert "RRIS keeps to it and will not relax it" in page
    assert calls(app) == [], "nothing is stored for a request nobody can take"
    assert "RS 2026/0007" not in page and "RS+2026" not in page, "the identifier is never written back"
    assert 'name="wait" value="true"' in page and 'id="wait-applicant-identifier"' in page

    book = page.split('id="book-instead" href="')[1].split('"')[0].replace("&amp;", "&")
    draft = parse_qs(urlsplit(book).query)
    assert urlsplit(book).path == "/bookings/new"
    assert draft["applicant_language"] == ["pus"] and draft["gender_rule"] == ["required"]
    assert draft["case_reference"] == ["RS-NOW-0007"] and "applicant_identifier" not in draft
    form = browser.get(book).get_data(as_text=True)
    assert '<option selected value="pus">' in form
    assert 'value="RS-NOW-0007"' in form
    assert 'value="required" checked' in form or 'checked id="gender_rule-2"' in form

    waiting = ask(browser, gender_rule="required", gender="male", wait="true")
    assert waiting.status_code == 302
    (call,) = calls(app)
    assert call.state is CallState.WAITING and call.gender_rule == "required"
    status = browser.get(waiting.location).get_data(as_text=True)
    assert "Waiting in the queue: every suitable interpreter is busy." in status
    assert "Your place in the queue: 1." in status
    assert "Expected wait: unknown (no recent calls in these languages to go by)." in status


PHONED_AFTER_A_MINUTE = (
    "If nobody has answered after 60 seconds of waiting, RRIS phones the interpreters on call who could take it."
)


def test_nobody_on_a_page_but_someone_on_call_the_officer_is_told_the_phones_are_tried_if_she_waits(
    app, browser, people, clock
):
    karim_on_call(app)
    signed_in(browser, "jelena@mup.rs.example")
    with changed_settings(app, ondemand_phone_after_seconds=60):
        clock.set(NOW + timedelta(hours=1))  # Mariam's and Nadia's pages last beat an hour ago
        page = ask(browser).get_data(as_text=True)
        assert "Nobody suitable is reachable now" in page and PHONED_AFTER_A_MINUTE in page
        assert calls(app) == [], "still nothing stored: she chooses whether to wait"

        # Karim is male: a woman required stays required, and he is not offered as a phone call.
        for_a_woman = ask(browser, gender_rule="required", gender="female").get_data(as_text=True)
        assert "RRIS keeps to it and will not relax it" in for_a_woman
        assert 'id="phone-escalation"' not in for_a_woman

    with changed_settings(app, ondemand_phone_after_seconds=0):  # the escalation is off: no promise
        assert 'id="phone-escalation"' not in ask(browser).get_data(as_text=True)


def test_giving_up_is_recorded_as_abandoned_and_the_page_then_offers_to_ask_again_or_book(app, browser, people):
    signed_in(browser, "jelena@mup.rs.example")
    location = ask(browser, gender_rule="required", gender="male", wait="true").location
    (call,) = calls(app)

    gave_up = browser.submit(location, {}, post_to=f"{location}/abandon")
    assert gave_up.status_code == 302 and gave_up.location == location
    page = browser.get(location).get_data(as_text=True)
    assert "You gave up waiting. The request is recorded as abandoned; nobody is rung for it." in page
    assert "You gave up waiting for this request." in page
    assert 'id="give-up"' not in page and "now-config" not in page and "http-equiv" not in page
    (call,) = calls(app)
    assert call.state is CallState.ABANDONED and call.abandoned_at == NOW

    again = browser.submit(location, {}, post_to=f"{location}/abandon")
    assert again.status_code == 302
    assert "This request is no longer waiting" in browser.get(location).get_data(as_text=True)


def test_bad_input_is_named_field_by_field_and_stores_nothing(app, browser, people):
    signed_in(browser, "jelena@mup.rs.example")
    answer = ask(browser, applicant_language="", case_reference="  ")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="applicant_language-error">Choose a language.' in page
    assert "Enter your department&#39;s case reference (never the applicant&#39;s name)." in page
    judged = ask(browser, officer_language="pus", gender_rule="required", gender="")
    assert judged.status_code == 422
    page = judged.get_data(as_text=True)
    assert "The officer&#39;s language must differ from the applicant&#39;s." in page
    assert 'id="gender-error">Say which gender is required or preferred.' in page
    nonsense = ask(browser, session_kind="picnic", department_id="abc", specialisations="juggling")
    assert nonsense.status_code == 422
    body = nonsense.get_data(as_text=True)
    assert 'id="session_kind-error">Choose one of:' in body and 'id="department_id-error"' in body
    assert calls(app) == []


def test_someone_else_s_request_answers_404_and_interpreters_may_not_ask(
    app, browser, another_browser, people
):
    signed_in(browser, "jelena@mup.rs.example")
    location = ask(browser).location
    signed_in(another_browser, "arben@asylum.al.example")
    assert another_browser.get(location).status_code == 404
    assert another_browser.get(f"{location}/ticket").status_code == 404
    assert another_browser.submit("/now", {}, post_to=f"{location}/abandon").status_code == 404
    assert another_browser.get("/now/requests/999999").status_code == 404
    (call,) = calls(app)
    assert call.state is CallState.RINGING


def test_an_interpreter_gets_403_on_the_officer_pages(app, browser, people):
    signed_in(browser, "mariam@pool.example")
    assert browser.get("/now").status_code == 403
    assert browser.submit("/now/available", {}, post_to="/now").status_code == 403
    assert calls(app) == []
