"""An interpreter puts herself on call by phone on her profile (the telephone escalation of calls
that cannot wait): only with a verified number RRIS may call; she can take herself off; nobody
else has the choice. Through the portal's pages, with their CSRF tokens."""

from __future__ import annotations

import re
from datetime import timedelta

from rris.enums import Role
from rris.extensions import db
from rris.ondemand.models.ondemand import InterpreterPresence
from rris.phone.services.callable_countries import save_callable_countries
from tests import factories
from tests.conftest import DEFAULT_NOW, committed
from tests.factories import PASSWORD

PROFILE, ON_CALL = "/profile", "/profile/phone/on-call"
CHECKBOX = 'name="phone_on_call"'


def interpreter(app, phone: str | None, verified: bool = True) -> tuple[int, str]:
    with committed(app):
        profile = factories.interpreter(pairs=(("pus", "srp"),), second_factor=False)
        profile.user.phone = phone
        profile.user.phone_verified_at = DEFAULT_NOW - timedelta(days=1) if verified and phone else None
        return profile.id, profile.user.email


def on_call(app, interpreter_id: int) -> bool | None:
    with app.app_context():
        presence = db.session.get(InterpreterPresence, interpreter_id)
        return None if presence is None else presence.phone_on_call


def test_an_interpreter_with_a_verified_phone_goes_on_call_and_off_again(app, browser):
    mariam, email = interpreter(app, "+93701234567")
    browser.sign_in(email, PASSWORD)
    assert CHECKBOX in browser.get(PROFILE).get_data(as_text=True)
    response = browser.submit(PROFILE, {"phone_on_call": "y"}, post_to=ON_CALL)
    assert response.status_code == 302 and response.location.endswith("/profile#phone")
    assert on_call(app, mariam) is True
    page = browser.get(PROFILE).get_data(as_text=True)
    assert "RRIS will call your phone when a call that cannot wait finds nobody." in page
    assert re.search(r'<input[^>]*checked[^>]*name="phone_on_call"|<input[^>]*name="phone_on_call"[^>]*checked', page)
    assert browser.submit(PROFILE, {}, post_to=ON_CALL).status_code == 302
    assert on_call(app, mariam) is False


def test_without_a_verified_phone_she_is_told_why_and_nothing_changes(app, browser):
    nadia, email = interpreter(app, "+93701234568", verified=False)
    browser.sign_in(email, PASSWORD)
    response = browser.submit(PROFILE, {"phone_on_call": "y"}, post_to=ON_CALL)
    assert response.status_code == 422
    assert "Add and verify your mobile number on your profile to be called." in response.get_data(as_text=True)
    assert on_call(app, nadia) is None


def test_a_number_in_a_country_rris_may_not_call_is_refused(app, browser):
    zarina, email = interpreter(app, "+93701234569")
    with committed(app):
        coordinator = factories.user(Role.COORDINATOR, second_factor=False)
        save_callable_countries({"RS", "MK"}, None, coordinator, DEFAULT_NOW)
    browser.sign_in(email, PASSWORD)
    response = browser.submit(PROFILE, {"phone_on_call": "y"}, post_to=ON_CALL)
    assert response.status_code == 422
    assert "RRIS may not call numbers in Afghanistan" in response.get_data(as_text=True)
    assert on_call(app, zarina) is None


def test_an_officer_has_no_such_choice(app, browser):
    with committed(app):
        jelena = factories.caseworker("RS", phone="+381641234567", phone_verified_at=DEFAULT_NOW, second_factor=False)
        email = jelena.email
    browser.sign_in(email, PASSWORD)
    assert CHECKBOX not in browser.get(PROFILE).get_data(as_text=True)
    browser.get(PROFILE)
    assert (
        browser.client.post(ON_CALL, data={"phone_on_call": "y", "csrf_token": browser.last_token}).status_code == 404
    )
