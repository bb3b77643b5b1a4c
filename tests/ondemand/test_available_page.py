"""The interpreter's "Available now" page: the switch says whether she is reachable; a request
rings on it with its summary, a countdown and Accept / Decline; Accept lands on the call page and a
call already taken says so plainly. Real HTTP through the test client, both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.extensions import db
from rris.ondemand.domain.presence_tickets import PresenceKind, read_presence_ticket
from rris.ondemand.domain.states import RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandRing
from tests.conftest import TEST_SECRET_KEY
from tests.support.ondemand_people import NOW, PASHTO_NOW, SIGNALING, json_block, signed_in
from tests.support.page_strings import script_strings


def ring_of(app, interpreter_id: int) -> OnDemandRing | None:
    with app.app_context():
        statement = select(OnDemandRing).where(OnDemandRing.interpreter_id == interpreter_id)
        return db.session.scalar(statement.order_by(OnDemandRing.id.desc()))


def presence(app, interpreter_id: int) -> bool:
    with app.app_context():
        return db.session.get_one(InterpreterPresence, interpreter_id).available


def officer_asks(browser) -> None:
    signed_in(browser, "jelena@mup.rs.example")
    assert browser.submit("/now", PASHTO_NOW).status_code == 302


def test_she_switches_available_on_and_off_and_the_page_says_which(app, browser, people):
    signed_in(browser, "karim@pool.example")
    page = browser.get("/now/available")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/now/available" aria-current="page">Available now</a>' in text
    assert "You are not available now: no call rings for you." in text
    assert 'name="available" value="true"' in text and "Become available now" in text
    assert 'id="ring-panel" aria-labelledby="ring-heading" hidden' in text
    assert "connect-src 'self' ws://127.0.0.1:8765" in page.headers["Content-Security-Policy"]

    switched = browser.submit("/now/available", {"available": "true"})
    assert switched.status_code == 302 and presence(app, people.karim) is True
    text = browser.get("/now/available").get_data(as_text=True)
    assert "You are available now. Keep this page open: calls ring here." in text
    assert "You are available now: calls in your languages ring on this page." in text
    assert 'name="available" value="false"' in text and "Stop being available" in text

    browser.submit("/now/available", {"available": "false"})
    assert presence(app, people.karim) is False
    assert "You are no longer available now. No call rings for you." in browser.get("/now/available").get_data(
        as_text=True
    )


def test_the_page_connects_with_her_own_ticket_in_her_language(browser, people):
    signed_in(browser, "mariam@pool.example")
    page = browser.get("/now/available").get_data(as_text=True)
    config = json_block(page, "available-config")
    assert config["live_url"] == f"{SIGNALING}/ondemand/ws"
    assert config["heartbeat_seconds"] == 10 and config["available"] is True
    assert config["ticket_url"] == "/now/available/ticket" and config["rings_url"] == "/now/available/rings/"
    ticket = read_presence_ticket(config["ticket"], TEST_SECRET_KEY, NOW)
    assert (ticket.kind, ticket.interpreter_id, ticket.locale) == (PresenceKind.INTERPRETER, people.mariam, "ps")
    assert ticket.expires_at == NOW + timedelta(minutes=2)
    strings = script_strings(page)
    assert set(strings["ring_left"]) >= {"one", "other"}
    assert strings["ended_stopped"] != "Another interpreter answered the call, or the officer gave up.", "in Pashto"

    fresh = browser.get("/now/available/ticket")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    assert read_presence_ticket(fresh.get_json()["ticket"], TEST_SECRET_KEY, NOW).interpreter_id == people.mariam


def test_a_request_rings_on_her_page_and_accepting_opens_the_call(app, browser, another_browser, people):
    officer_asks(another_browser)
    ring = ring_of(app, people.nadia)
    assert ring is not None and ring.ended_at is None

    signed_in(browser, "nadia@pool.example")
    page = browser.get("/now/available").get_data(as_text=True)
    assert 'id="ring-panel" aria-labelledby="ring-heading">' in page
    assert "Pashto and Serbian, for Serbia: Reception" in page
    assert f'action="/now/available/rings/{ring.id}/accept"' in page
    assert "Answer by " in page
    config = json_block(page, "available-config")
    assert config["ring"] == {  # the ring frame the live connection sends
        "ring_id": ring.id,
        "call_id": ring.call_id,
        "summary": "Pashto and Serbian, for Serbia: Reception",
        "until": (NOW + timedelta(seconds=30)).isoformat().replace("+00:00", "Z"),
    }
    assert "RS-NOW-0007" not in page, "a ring shows no case detail"

    accepted = browser.submit("/now/available", {}, post_to=f"/now/available/rings/{ring.id}/accept")
    assert accepted.status_code == 302
    call_page = browser.get(accepted.location)
    assert accepted.location.startswith("/calls/") and call_page.status_code == 200
    assert 'id="call-config"' in call_page.get_data(as_text=True)
    assert ring_of(app, people.nadia).outcome is RingOutcome.ACCEPTED


def test_a_call_someone_else_took_says_so_plainly(app, browser, another_browser, people):
    officer_asks(another_browser)
    mariams, nadias = ring_of(app, people.mariam), ring_of(app, people.nadia)
    signed_in(another_browser, "mariam@pool.example")
    taken = another_browser.submit("/now/available", {}, post_to=f"/now/available/rings/{mariams.id}/accept")
    assert taken.status_code == 302 and taken.location.startswith("/calls/")

    signed_in(browser, "nadia@pool.example")
    late = browser.submit("/now/available", {}, post_to=f"/now/available/rings/{nadias.id}/accept")
    assert late.status_code == 302 and late.location == "/now/available"
    page = browser.get("/now/available").get_data(as_text=True)
    assert "This call was answered by another interpreter or has ended." in page
    assert 'id="ring-panel" aria-labelledby="ring-heading" hidden' in page
    assert ring_of(app, people.nadia).outcome is RingOutcome.STOPPED


def test_declining_lets_the_call_go_and_she_stays_available(app, browser, another_browser, people):
    officer_asks(another_browser)
    ring = ring_of(app, people.nadia)
    signed_in(browser, "nadia@pool.example")
    declined = browser.submit("/now/available", {}, post_to=f"/now/available/rings/{ring.id}/decline")
    assert declined.status_code == 302 and declined.location == "/now/available"
    page = browser.get("/now/available").get_data(as_text=True)
    assert "You declined the call. You stay available for others." in page
    assert ring_of(app, people.nadia).outcome is RingOutcome.DECLINED
    assert presence(app, people.nadia) is True


def test_someone_else_s_ring_answers_404_and_officers_get_403(app, browser, another_browser, people):
    officer_asks(another_browser)
    ring = ring_of(app, people.mariam)
    signed_in(browser, "karim@pool.example")
    assert browser.submit("/now/available", {}, post_to=f"/now/available/rings/{ring.id}/accept").status_code == 404
    assert browser.submit("/now/available", {}, post_to=f"/now/available/rings/{ring.id}/decline").status_code == 404
    assert browser.submit("/now/available", {}, post_to="/now/available/rings/999999/accept").status_code == 404
    assert ring_of(app, people.mariam).ended_at is None
    assert another_browser.get("/now/available").status_code == 403
    assert another_browser.get("/now/available/ticket").status_code == 403


def test_a_switch_that_is_neither_on_nor_off_is_refused_by_name(app, browser, people):
    signed_in(browser, "karim@pool.example")
    refused = browser.submit("/now/available", {"available": "perhaps"})
    assert refused.status_code == 422
    assert "Give true or false." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(InterpreterPresence, people.karim) is None
