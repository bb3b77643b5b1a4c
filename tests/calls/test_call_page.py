"""The call page: the department's officers and the session's interpreters get a page that
joins the call with their own ticket, from 15 minutes before the start until the grace after
the end; everyone else gets the holding page or a refusal. The page's policy lets it reach the
signalling service and the camera, and nothing else."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.services.bookings import cancel_booking
from rris.calls.domain.call_tickets import GRACE_AFTER_END, TicketKind, read_ticket
from rris.calls.services.call_guests import invite_guest
from rris.calls.web.calls import call_page_policy
from rris.context import current_settings
from rris.enums import CallRole, GuestKind, Role
from rris.extensions import db
from tests import factories
from tests.conftest import TEST_SECRET_KEY, committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import SESSION_START, confirmed
from tests.support.page_strings import script_strings

OPEN = SESSION_START - timedelta(minutes=15)
SESSION_END = SESSION_START + timedelta(hours=2)
CONFIG_BLOCK = re.compile(r'<script type="application/json" id="call-config">(.*?)</script>', re.S)
STATIC = Path(__file__).resolve().parents[2] / "static"
HOSTILE_NAME = "Ana </script><script>alert('x')</script> & <b>"


@pytest.fixture
def session(app, clock, monkeypatch):
    """A confirmed session on Wednesday 09:00 Belgrade: caseworker Jelena, interpreter Mariam;
    signalling on its default local address, no STUN or TURN servers."""
    with app.app_context():
        settings = current_settings().replace(
            signaling_public_url="ws://127.0.0.1:8765", stun_urls=(), turn_urls=(), turn_secret=""
        )
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), email="mariam@pool.example", name="Mariam Ahmadzai")
        factories.user(Role.CASEWORKER, email="ana@mup.rs.example", department=jelena.department, name=HOSTILE_NAME)
        factories.user(Role.COORDINATOR, email="hub@marri.example", name="Elena Stojanovska")
        booking = confirmed(jelena, mariam)
        facts = SimpleNamespace(id=booking.id, code=booking.code, jelena=jelena.id, mariam=mariam.user.id)
    clock.set(OPEN)
    return facts


def open_page(browser, email, booking_id):
    browser.sign_in(email, PASSWORD)
    return browser.get(f"/calls/{booking_id}")


def config_of(response):
    match = CONFIG_BLOCK.search(response.get_data(as_text=True))
    assert match, "no call configuration on the page"
    return json.loads(match.group(1))


def directives(policy):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_the_officer_gets_the_call_page_with_a_ticket_of_her_own(session, browser, clock):
    response = open_page(browser, "jelena@mup.rs.example", session.id)
    assert response.status_code == 200
    config = config_of(response)
    ticket = read_ticket(config["ticket"], TEST_SECRET_KEY, clock.now(), TicketKind.JOIN)
    assert ticket.participant.encode() == f"user-{session.jelena}" and ticket.role is CallRole.OFFICER
    assert ticket.booking_id == session.id
    assert config["me"] == {"id": f"user-{session.jelena}", "role": "officer", "name": "Jelena Marković"}
    assert config["signaling_url"] == "ws://127.0.0.1:8765/calls/ws"
    assert config["ice_servers"] == []  # no STUN/TURN configured: host candidates only, never a public default
    assert config["ends_at"] == "2026-01-14T10:00:00Z"
    assert config["booking_url"] == f"/bookings/{session.id}"
    page = response.get_data(as_text=True)
    assert session.code in page and "9:00" in page and "Belgrade" in page  # the facts, in her zone
    assert "Pashto" in page
    assert 'src="/static/js/call.js"' in page and 'type="module"' in page


def test_the_interpreter_gets_her_own_ticket_and_a_link_to_her_jobs(session, browser, clock):
    response = open_page(browser, "mariam@pool.example", session.id)
    assert response.status_code == 200
    config = config_of(response)
    ticket = read_ticket(config["ticket"], TEST_SECRET_KEY, clock.now(), TicketKind.JOIN)
    assert (ticket.participant.encode(), ticket.role) == (f"user-{session.mariam}", CallRole.INTERPRETER)
    assert config["me"]["role"] == "interpreter" and config["me"]["name"] == "Mariam"  # her first name only
    assert config["booking_url"] == f"/jobs#job-{session.code}"
    assert "12:30" in response.get_data(as_text=True)  # her time in Kabul


def test_each_visit_issues_a_fresh_ticket_for_the_same_room(session, browser, clock):
    first = read_ticket(config_of(open_page(browser, "jelena@mup.rs.example", session.id))["ticket"],
                        TEST_SECRET_KEY, clock.now(), TicketKind.JOIN)
    second = read_ticket(
        config_of(browser.get(f"/calls/{session.id}"))["ticket"], TEST_SECRET_KEY, clock.now(), TicketKind.JOIN
    )
    assert first.room == second.room and first.nonce != second.nonce


def test_the_page_may_reach_exactly_the_signalling_origin_and_the_camera(session, browser):
    response = open_page(browser, "jelena@mup.rs.example", session.id)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["connect-src"] == ["'self'", "ws://127.0.0.1:8765"]
    assert policy["media-src"] == ["'self'", "blob:", "mediastream:"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["default-src"] == ["'self'"]
    assert response.headers["Permissions-Policy"] == "camera=(self), microphone=(self)"
    assert response.headers["Cache-Control"] == "no-store"  # the page carries a ticket
    other = browser.get("/bookings")
    assert "connect-src" not in other.headers["Content-Security-Policy"]
    assert "Permissions-Policy" not in other.headers


def test_a_public_signalling_url_is_allowed_by_scheme_host_and_port_only(session, browser, app, monkeypatch):
    with app.app_context():
        settings = current_settings().replace(
            signaling_public_url="wss://calls.rris.example:8443",
            stun_urls=("stun:turn.rris.example:3478",),
            turn_urls=("turns:turn.rris.example:5349",),
            turn_secret="a shared secret of coturn",
        )
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    response = open_page(browser, "jelena@mup.rs.example", session.id)
    config = config_of(response)
    assert config["signaling_url"] == "wss://calls.rris.example:8443/calls/ws"
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["connect-src"] == ["'self'", "wss://calls.rris.example:8443"]
    stun, turn = config["ice_servers"]
    assert stun == {"urls": ["stun:turn.rris.example:3478"]}
    assert turn["urls"] == ["turns:turn.rris.example:5349"]
    assert turn["username"].endswith(f":user-{session.jelena}") and turn["credential"]


def test_the_policy_helper_refuses_anything_but_a_websocket_url():
    assert call_page_policy("wss://calls.example/calls/ws").endswith(
        "connect-src 'self' wss://calls.example; media-src 'self' blob: mediastream:"
    )
    for wrong in ("https://calls.example/calls/ws", "ws:///calls/ws", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            call_page_policy(wrong)


def test_the_page_has_no_inline_script_or_style(session, browser):
    page = open_page(browser, "jelena@mup.rs.example", session.id).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in page and "<style" not in page
    assert not re.search(r"<[a-z]+\b[^>]*\son[a-z]+=", page)  # no inline event handlers either


def test_a_hostile_display_name_cannot_break_out_of_the_configuration(session, browser):
    response = open_page(browser, "ana@mup.rs.example", session.id)
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "</script><script>" not in page
    assert config_of(response)["me"]["name"] == HOSTILE_NAME


def test_a_coordinator_is_not_a_participant(session, browser):
    response = open_page(browser, "hub@marri.example", session.id)
    assert response.status_code == 403
    assert "call-config" not in response.get_data(as_text=True)


def test_a_second_early_the_page_says_when_the_call_opens(session, browser, clock):
    clock.set(OPEN - timedelta(seconds=1))  # 15 minutes and 1 second before the start
    response = open_page(browser, "jelena@mup.rs.example", session.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "call-config" not in page
    assert "The call opens at 08:45 Belgrade (UTC+01:00)" in page  # the session starts at 09:00 in Belgrade
    assert "Open this page again then" in page
    assert "Content-Security-Policy" in response.headers and "connect-src" not in response.headers[
        "Content-Security-Policy"
    ]


def test_the_call_stays_open_through_the_grace_and_then_it_is_over(session, browser, clock):
    clock.set(SESSION_END + GRACE_AFTER_END - timedelta(seconds=1))
    assert "call-config" in open_page(browser, "mariam@pool.example", session.id).get_data(as_text=True)
    clock.set(SESSION_END + GRACE_AFTER_END)
    page = open_page(browser, "mariam@pool.example", session.id).get_data(as_text=True)
    assert "call-config" not in page
    assert "This session is over." in page and "Open this page again then" not in page


def test_a_cancelled_session_has_no_call(session, app, browser, clock):
    with committed(app), app.test_request_context():
        from rris.accounts.models.accounts import User
        from rris.extensions import db

        jelena = db.session.get(User, session.jelena)
        cancel_booking(session.id, actor_of(jelena), "The applicant withdrew", clock.now())
    page = open_page(browser, "jelena@mup.rs.example", session.id).get_data(as_text=True)
    assert "call-config" not in page
    assert "not confirmed, so there is no call to join" in page


def test_the_page_s_scripts_and_stylesheet_are_served(session, browser):
    page = open_page(browser, "jelena@mup.rs.example", session.id).get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert browser.client.get(url).status_code == 200, url
    assert "/static/css/call.css" in page


def test_every_sentence_the_script_shows_is_in_the_translated_strings(session, browser):
    page = open_page(browser, "jelena@mup.rs.example", session.id).get_data(as_text=True)
    strings = script_strings(page)
    assert "strings" not in CONFIG_BLOCK.search(page).group(1)  # said once, in the page's strings block
    assert all(isinstance(value, str) and value.strip() for value in strings.values())
    source = "\n".join(path.read_text() for path in sorted(STATIC.glob("js/call*.js")))
    # Keys appear as literals ("peer_gone", key: "call_over") or are built from a state or level.
    protocol_words = {"rtt_ms", "loss_percent", "bitrate_kbps", "service_unavailable"}  # fields and codes
    literals = set(re.findall(r'"([a-z]+(?:_[a-z]+)+)"', source)) - protocol_words
    literals |= set(re.findall(r'\bkey: "([a-z_]+)"', source))
    built = {f"state_{state}" for state in ("waiting", "connecting", "connected", "poor", "reconnecting")}
    built |= {f"peer_{state}" for state in ("connecting", "connected", "poor", "reconnecting")}
    built |= {f"role_{role.value}" for role in CallRole}
    built |= {f"quality_{level}" for level in ("unknown", "good", "fair", "poor")}
    built |= {"left", "secure"}
    assert literals - set(strings) == set()
    assert built - set(strings) == set()
    assert len(literals) > 20


def test_a_guest_link_opens_the_call_page_with_a_guest_ticket_and_no_referrer(app, browser, session, clock):
    client = browser.client
    with committed(app), app.test_request_context():
        jelena = db.session.get(User, session.jelena)
        clock.set(OPEN - timedelta(hours=1))
        guest, secret = invite_guest(
            session.id, actor_of(jelena), jelena, GuestKind.GUARDIAN, "Guardian Ivana", clock.now()
        )
        guest_id = guest.id
    early = client.get(f"/calls/guest/{secret}")
    assert early.status_code == 200 and "The call opens at" in early.get_data(as_text=True)
    clock.set(OPEN)
    response = client.get(f"/calls/guest/{secret}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    config = config_of(response)
    ticket = read_ticket(config["ticket"], TEST_SECRET_KEY, OPEN, TicketKind.JOIN)
    assert (ticket.participant.encode(), ticket.role, ticket.display_name) == (
        f"guest-{guest_id}",
        CallRole.GUEST,
        "Guardian Ivana",
    )
    assert "booking_url" not in config
    assert client.get("/calls/guest/not-a-link").status_code == 404


def test_the_page_judges_quality_by_the_same_rule_as_the_records() -> None:
    from rris.calls.domain.call_quality import POOR_LOSS_PERCENT, POOR_RTT_MS

    rules = (STATIC / "js" / "call-rules.js").read_text()
    assert f"export const POOR_RTT_MS = {POOR_RTT_MS:g};" in rules
    assert f"export const POOR_LOSS_PERCENT = {POOR_LOSS_PERCENT:g};" in rules
