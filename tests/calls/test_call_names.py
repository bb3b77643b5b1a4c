"""An interpreter is seen in the call by role and a name she chooses (her first name until she
does): on her profile she chooses it; every call page, a guest's above all, carries that name and
never her full name; the portal's booking page keeps full names for officers and coordinators."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, TicketKind, read_ticket
from rris.calls.services import call_records
from rris.calls.services.call_guests import invite_guest
from rris.context import current_settings
from rris.enums import CallRole, GuestKind, Role
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories
from tests.conftest import TEST_SECRET_KEY, committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import SESSION_START, confirmed
from tests.phone.test_phone_page import needs_node, run_node
from tests.support.page_strings import script_strings

OPEN = SESSION_START - timedelta(minutes=15)
CONFIG_BLOCK = re.compile(r'<script type="application/json" id="call-config">(.*?)</script>', re.S)
SURNAME = "Ahmadzai"


@pytest.fixture
def session(app, clock, monkeypatch):
    """Wednesday's confirmed session: officer Jelena, interpreter Mariam Ahmadzai, a coordinator;
    the call is open and an officer's guest link exists."""
    with app.app_context():
        settings = current_settings().replace(
            signaling_public_url="ws://127.0.0.1:8765", stun_urls=(), turn_urls=(), turn_secret=""
        )
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    clock.set(OPEN)
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), email="mariam@pool.example", name="Mariam Ahmadzai")
        factories.user(Role.COORDINATOR, email="hub@marri.example", name="Elena Stojanovska")
        booking = confirmed(jelena, mariam)
        _guest, secret = invite_guest(
            booking.id, actor_of(jelena), jelena, GuestKind.LEGAL_ADVISER, "Adv. Ana Petrović", clock.now()
        )
        return SimpleNamespace(id=booking.id, mariam=mariam.user.id, profile=mariam.id, guest_secret=secret)


def config_of(response) -> dict:
    match = CONFIG_BLOCK.search(response.get_data(as_text=True))
    assert match, "no call configuration on the page"
    return json.loads(match.group(1))


def read_join_ticket(config: dict, clock) -> CallTicket:
    """The join ticket of a call page's configuration, as the signalling service reads it now."""
    return read_ticket(config["ticket"], TEST_SECRET_KEY, clock.now(), TicketKind.JOIN)


def ticket_body(token: str) -> bytes:
    """The ticket's payload as anyone holding it can read it (it is signed, not encrypted)."""
    payload, _signature = token.split(".")
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def choose(browser, name: str):
    return browser.submit("/profile", {"call_name": name}, post_to="/profile/call-name")


def stored_call_name(app, profile_id: int) -> str | None:
    with app.app_context():
        return db.session.get(InterpreterProfile, profile_id).call_name


def test_by_default_the_interpreter_is_in_the_call_by_her_first_name(session, browser, clock):
    browser.sign_in("mariam@pool.example", PASSWORD)
    profile = browser.get("/profile").get_data(as_text=True)
    assert "Your name in calls" in profile and "They see you now as: Interpreter · Mariam" in profile
    page = browser.get(f"/calls/{session.id}")
    config = config_of(page)
    ticket = read_ticket(config["ticket"], TEST_SECRET_KEY, clock.now(), TicketKind.JOIN)
    assert (ticket.role, ticket.display_name) == (CallRole.INTERPRETER, "Mariam")
    assert config["me"]["name"] == "Mariam"
    assert script_strings(page.get_data(as_text=True))["interpreter_named"] == "Interpreter · {name}"


def test_the_interpreter_chooses_another_name_and_the_call_uses_it(session, browser, app, clock):
    browser.sign_in("mariam@pool.example", PASSWORD)
    response = choose(browser, "  Mina \t ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile#call-name")
    assert stored_call_name(app, session.profile) == "Mina"
    assert "In calls you are now shown as “Mina”." in browser.get("/profile").get_data(as_text=True)
    ticket = read_join_ticket(config_of(browser.get(f"/calls/{session.id}")), clock)
    assert ticket.display_name == "Mina"
    # Blank again: back to her first name.
    assert choose(browser, "   ").status_code == 302
    assert stored_call_name(app, session.profile) is None
    ticket = read_join_ticket(config_of(browser.get(f"/calls/{session.id}")), clock)
    assert ticket.display_name == "Mariam"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("M" * 41, "Use at most 40 characters; this name has 41."),
        ("Mina\u202egnip", "Use letters, digits, spaces and punctuation only."),
    ],
)
def test_a_name_too_long_or_with_control_characters_is_refused_at_the_field(session, browser, app, typed, problem):
    browser.sign_in("mariam@pool.example", PASSWORD)
    assert choose(browser, "Mina").status_code == 302
    response = choose(browser, typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="field-error" id="call_name-error">\s*' + re.escape(problem), page), page[-3000:]
    assert stored_call_name(app, session.profile) == "Mina"  # nothing half-written


def test_a_name_with_the_nul_character_is_refused_naming_the_field_before_the_form_reads_it(session, browser, app):
    browser.sign_in("mariam@pool.example", PASSWORD)
    assert choose(browser, "Mina").status_code == 302
    response = choose(browser, "Mina\x00")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "call_name" in page and "Remove the invisible NUL character (U+0000) from this value." in page
    assert stored_call_name(app, session.profile) == "Mina"


def test_only_interpreters_have_a_name_in_calls_to_choose(session, browser):
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert "Your name in calls" not in browser.get("/profile").get_data(as_text=True)
    assert choose(browser, "Jelly").status_code == 404


def test_a_guest_s_call_page_carries_no_full_name_of_the_interpreter(session, browser, another_browser):
    browser.sign_in("mariam@pool.example", PASSWORD)
    config_of(browser.get(f"/calls/{session.id}"))  # she has opened the call
    guest_page = another_browser.client.get(f"/calls/guest/{session.guest_secret}")
    assert guest_page.status_code == 200
    raw = guest_page.get_data()
    assert SURNAME.encode() not in raw and b"Mariam Ahmadzai" not in raw
    assert SURNAME.encode() not in ticket_body(config_of(guest_page)["ticket"])


def test_the_booking_page_keeps_full_names_for_officers_and_coordinators(session, browser, another_browser, app, clock):
    with committed(app), app.test_request_context():
        mariam = db.session.get(User, session.mariam)
        call_records.record_join(
            session.id,
            Participant.user(mariam.id),
            CallRole.INTERPRETER,
            "Mariam",
            "browser",
            "conn-mariam",
            clock.now(),
        )
    for who, reader in (("jelena@mup.rs.example", browser), ("hub@marri.example", another_browser)):
        reader.sign_in(who, PASSWORD)
        page = reader.get(f"/bookings/{session.id}").get_data(as_text=True)
        panel = page[page.index('id="call"') :]
        assert "Mariam Ahmadzai" in panel, who


@needs_node
def test_the_call_page_names_an_interpreter_by_role_in_its_sentences(tmp_path):
    result = run_node(tmp_path, """
        import { fill, peerLabel } from "JS/call-rules.js";
        const strings = { interpreter_named: "Interpreter · {name}" };
        const text = (key, values) => fill(strings[key] ?? key, values);
        console.log(JSON.stringify([
          peerLabel({ role: "interpreter", name: "Mariam" }, text),
          peerLabel({ role: "interpreter", name: "Mariam (phone)" }, text),
          peerLabel({ role: "officer", name: "Jelena Marković" }, text),
          peerLabel({ role: "guest", name: "Adv. Ana Petrović" }, text),
        ]));
    """)
    assert result == ["Interpreter · Mariam", "Interpreter · Mariam (phone)", "Jelena Marković", "Adv. Ana Petrović"]
