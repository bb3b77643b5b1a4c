"""Coordinators keep the countries RRIS may call on a page of their own, near the pool: a CSRF
form, every save kept with who and when; other roles get 403. The call page then says why a
phone cannot be rung and offers the dial-in number and the booking's PIN instead."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.context import current_settings
from rris.enums import Role
from rris.extensions import db
from rris.phone.models.callable_countries import CallableCountryList
from tests import factories
from tests.conftest import Browser, committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import SESSION_START, confirmed
from tests.support.page_strings import script_strings

OPEN = SESSION_START - timedelta(minutes=15)
PAGE = "/pool/phone-countries"
KABUL_MOBILE = "+93701234567"
DIAL_IN_NUMBER = "+381113300400"
KOSOVO_FOOTNOTE = (
    "This designation is without prejudice to positions on status, and is in line with UNSCR 1244/1999 "
    "and the ICJ Opinion on the Kosovo declaration of independence."
)
CALL_CONFIG = re.compile(r'<script type="application/json" id="call-config">(.*?)</script>', re.S)


@pytest.fixture
def world(app, clock, monkeypatch):
    """Wednesday's session with its call open: officer Jelena (Serbia), interpreter Mariam in
    Kabul with a verified mobile, a coordinator, an interpreter and a focal point; a dial-in line."""
    with app.app_context():
        settings = current_settings().replace(
            signaling_public_url="ws://127.0.0.1:8765",
            stun_urls=(),
            turn_urls=(),
            turn_secret="",
            dial_in_number=DIAL_IN_NUMBER,
        )
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    clock.set(OPEN)
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
        mariam = factories.interpreter(
            pairs=(("pus", "srp"),),
            email="mariam@pool.example",
            name="Mariam Ahmadzai",
            phone=KABUL_MOBILE,
            phone_verified_at=OPEN - timedelta(days=3),
        )
        factories.user(Role.COORDINATOR, email="hub@marri.example", name="Elena Stojanovska")
        factories.user(Role.FOCAL_POINT, email="focal@mup.rs.example")
        booking = confirmed(jelena, mariam)
        return SimpleNamespace(id=booking.id)


def versions(app) -> list[CallableCountryList]:
    with app.app_context():
        return list(db.session.scalars(select(CallableCountryList).order_by(CallableCountryList.id)))


def call_config(browser, booking_id) -> tuple[dict, str]:
    browser.sign_in("mariam@pool.example", PASSWORD)
    page = browser.get(f"/calls/{booking_id}").get_data(as_text=True)
    return json.loads(CALL_CONFIG.search(page).group(1)), page


def test_the_coordinator_sees_the_default_list_with_the_interpreters_countries(world, browser):
    browser.sign_in("hub@marri.example", PASSWORD)
    assert f'href="{PAGE}"' in browser.get("/interpreters").get_data(as_text=True)
    page = browser.get(PAGE).get_data(as_text=True)
    assert "This is the default list" in page
    assert re.search(r'<tr data-code="AF">\s*<td>Afghanistan</td><td>AF</td><td></td><td>1</td>', page)
    assert re.search(r'<tr data-code="RS">\s*<td>Serbia</td><td>RS</td><td>yes</td>', page)
    assert "At most 6 calls per session and 200 in any 24 hours." in page


def test_a_coordinator_removes_afghanistan_and_the_kabul_interpreter_is_offered_the_dial_in_instead(
    world, browser, another_browser, app, clock
):
    config, _page = call_config(another_browser, world.id)
    assert config["phone"]["available"] is True  # rung by default: her country is the pool's
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.submit(PAGE, {"countries": "rs tr, AL BA XK ME MK", "based_on": ""})
    assert response.status_code == 302
    [version] = versions(app)
    assert version.regions == "AL BA ME MK RS TR XK" and version.saved_at == clock.now()
    page = browser.get(PAGE).get_data(as_text=True)
    assert "Saved by Elena Stojanovska" in page
    assert "Interpreters have verified phones in countries not on the list, so RRIS will not ring them: AF." in page
    assert "first list, replacing the default: AL, BA, ME, MK, RS, TR, XK" in page

    config, page = call_config(another_browser, world.id)
    offer = config["phone"]
    assert (offer["available"], offer["code"], offer["number_tail"]) == (False, "country_not_allowed", "4567")
    assert "RRIS may not call numbers in Afghanistan" in offer["reason"]
    assert html.unescape(page).count(offer["reason"]) == 1
    pin = config["dial_in"]["pin"]
    assert config["dial_in"]["number"] == DIAL_IN_NUMBER and len(pin) == 6
    assert f"Instead, call {DIAL_IN_NUMBER} from any phone and type the PIN {pin}." in page
    strings = script_strings(page)
    assert "{number}" in strings["phone_dial_in_instead"] and "{pin}" in strings["phone_dial_in_instead"]
    assert strings["phone_refused_country_not_allowed"] and strings["phone_refused_number_type"]


def test_a_code_that_is_not_a_country_is_refused_at_the_field_and_nothing_is_saved(world, browser, app):
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.submit(PAGE, {"countries": "RS AFG", "based_on": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="countries-error">\s*Not a country code: AFG\.', page)
    assert versions(app) == []


def test_a_save_over_someone_elses_newer_list_is_refused_and_shows_their_list(world, browser, another_browser, app):
    browser.sign_in("hub@marri.example", PASSWORD)
    another_browser.sign_in("hub@marri.example", PASSWORD)
    another_browser.get(PAGE)  # a second tab, showing the default
    assert browser.submit(PAGE, {"countries": "RS AF", "based_on": ""}).status_code == 302
    stale = another_browser.client.post(
        PAGE, data={"countries": "RS", "based_on": "", "csrf_token": another_browser.last_token}
    )
    assert stale.status_code == 409
    assert "Elena Stojanovska changed the list meanwhile" in stale.get_data(as_text=True)
    assert [v.regions for v in versions(app)] == ["AF RS"]


def test_the_page_is_the_coordinators_and_its_form_needs_its_csrf_token(world, browser, app):
    for who in ("jelena@mup.rs.example", "mariam@pool.example", "focal@mup.rs.example"):
        other = Browser(app.test_client())
        other.sign_in(who, PASSWORD)
        assert other.get(PAGE).status_code == 403, who
        assert other.submit("/profile", {"countries": "", "based_on": ""}, post_to=PAGE).status_code == 403, who
    browser.sign_in("hub@marri.example", PASSWORD)
    assert browser.client.post(PAGE, data={"countries": "", "based_on": ""}).status_code == 400
    assert versions(app) == []
    assert browser.client.get(PAGE.replace("/pool", "/pool/x")).status_code == 404


def test_a_refusal_that_names_kosovo_carries_its_footnote_on_the_call_page_and_the_list(
    world, browser, another_browser, app
):
    with committed(app):
        factories.country("XK")
        mariam = db.session.scalar(select(User).where(User.email == "mariam@pool.example"))
        mariam.phone = "+38344123456"
    browser.sign_in("hub@marri.example", PASSWORD)
    assert browser.submit(PAGE, {"countries": "RS AF", "based_on": ""}).status_code == 302
    listed = browser.get(PAGE).get_data(as_text=True)
    assert re.search(r'<tr data-code="XK">\s*<td>Kosovo\*</td>', listed)
    assert KOSOVO_FOOTNOTE in listed

    config, page = call_config(another_browser, world.id)
    reason = config["phone"]["reason"]
    assert config["phone"]["code"] == "country_not_allowed"
    assert reason == (
        "RRIS may not call numbers in Kosovo*: that country is not on the coordinators' list. * " + KOSOVO_FOOTNOTE
    )
    assert reason in html.unescape(page)
