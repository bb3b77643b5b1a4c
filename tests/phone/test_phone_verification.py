"""An interpreter adds a mobile number on the profile page, proves it with the code sent by SMS
(through the real Twilio SDK, recorded at its HTTP seam) and only then may opt in to SMS reminders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.extensions import db
from rris.notifications.integrations.sms import TwilioSmsSender
from rris.phone.models.phone_verification import PhoneVerification
from tests import factories
from tests.conftest import DEFAULT_NOW, committed
from tests.support.catalogues import only_these_translations
from tests.support.twilio_recorder import RecordingHttpClient, twilio_error

ACCOUNT_SID = "AC" + "5" * 32
FROM_NUMBER = "+15005550006"
EMAIL = "farida.ahmadi@interpreters.example"
MOBILE = "+381641234567"


@pytest.fixture
def sms(app, monkeypatch) -> Iterator[RecordingHttpClient]:
    """Twilio for this test, answering from a recorder; the app's own sender comes back afterwards."""
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):
        monkeypatch.delenv(name, raising=False)
    recorder = RecordingHttpClient()
    original = app.extensions["rris.sms"]
    app.extensions["rris.sms"] = TwilioSmsSender(ACCOUNT_SID, "token-for-tests", FROM_NUMBER, http_client=recorder)
    yield recorder
    app.extensions["rris.sms"] = original


@pytest.fixture
def interpreter(app, browser) -> int:
    with committed(app):
        user_id = factories.interpreter(email=EMAIL, name="Farida Ahmadi").user.id
    assert browser.sign_in(EMAIL, factories.PASSWORD).status_code == 302
    return user_id


def account(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def last_code(sms: RecordingHttpClient) -> str:
    return re.fullmatch(r"RRIS code: (\d{6})\. It expires in 10 minutes\.", sms.sent_bodies[-1]).group(1)


def add_number(browser, number: str = "+381 64 123-4567", **request: object):
    return browser.submit("/profile", {"phone": number}, post_to="/profile/phone", **request)


def enter_code(browser, code: str):
    return browser.submit("/profile", {"code": code}, post_to="/profile/phone/confirm")


def opt_in(browser, choice: bool):
    return browser.submit("/profile", {"sms_opt_in": "y"} if choice else {}, post_to="/profile/phone/sms")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def test_the_code_sent_by_sms_verifies_the_number(app, browser, sms, interpreter):
    response = add_number(browser)
    assert response.status_code == 302
    (sent,) = sms.requests
    assert sent.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert sent.data["To"] == MOBILE
    assert sent.data["From"] == FROM_NUMBER
    page = browser.get("/profile").get_data(as_text=True)
    assert f"We sent a code to {MOBILE}" in page
    assert "not verified" in page

    assert enter_code(browser, last_code(sms)).status_code == 302

    user = account(app, interpreter)
    assert user.phone == MOBILE
    assert user.phone_verified_at == DEFAULT_NOW
    page = browser.get("/profile").get_data(as_text=True)
    assert '<span class="tag ok">verified</span>' in page
    assert 'id="code"' not in page


def test_only_a_keyed_hash_of_the_code_is_stored(app, browser, sms, interpreter):
    add_number(browser)
    code = last_code(sms)
    with app.app_context():
        (stored,) = db.session.scalars(select(PhoneVerification).where(PhoneVerification.user_id == interpreter))
        assert stored.phone == MOBILE
        assert len(stored.code_hash) == 64
        assert code not in stored.code_hash
        assert stored.expires_at == DEFAULT_NOW + timedelta(minutes=10)


def test_a_code_works_only_once(app, browser, sms, interpreter):
    add_number(browser)
    code = last_code(sms)
    enter_code(browser, code)
    again = enter_code(browser, code)
    assert again.status_code == 422
    assert "No code is waiting" in field_error(again.get_data(as_text=True), "code")


def test_five_wrong_codes_lock_the_code_even_for_the_right_one_after(app, browser, sms, interpreter):
    add_number(browser)
    code = last_code(sms)
    for tries_left in (4, 3, 2, 1):
        response = enter_code(browser, wrong(code))
        assert response.status_code == 422
        told = f"{tries_left} try left" if tries_left == 1 else f"{tries_left} tries left"
        assert told in field_error(response.get_data(as_text=True), "code")
    fifth = enter_code(browser, wrong(code))
    assert "no longer works" in field_error(fifth.get_data(as_text=True), "code")

    late = enter_code(browser, code)
    assert late.status_code == 422
    assert "entered wrongly too often" in field_error(late.get_data(as_text=True), "code")
    assert account(app, interpreter).phone_verified_at is None


def test_an_expired_code_is_refused(app, browser, sms, interpreter, clock):
    add_number(browser)
    code = last_code(sms)
    clock.advance(timedelta(minutes=10, seconds=1))
    response = enter_code(browser, code)
    assert response.status_code == 422
    assert "expired" in field_error(response.get_data(as_text=True), "code")
    assert account(app, interpreter).phone_verified_at is None


def test_only_the_newest_code_counts(app, browser, sms, interpreter):
    add_number(browser)
    first = last_code(sms)
    add_number(browser)
    second = last_code(sms)
    if first != second:
        assert enter_code(browser, first).status_code == 422
    assert enter_code(browser, second).status_code == 302


def test_opting_in_without_a_verified_number_is_refused_naming_the_field(app, browser, sms, interpreter):
    response = opt_in(browser, True)
    assert response.status_code == 422
    assert "Verify a mobile number first" in field_error(response.get_data(as_text=True), "sms_opt_in")

    add_number(browser)
    unverified = opt_in(browser, True)
    assert unverified.status_code == 422
    assert "Verify a mobile number first" in field_error(unverified.get_data(as_text=True), "sms_opt_in")
    assert account(app, interpreter).sms_opt_in is False


def test_a_verified_number_can_receive_reminders_until_the_number_changes(app, browser, sms, interpreter):
    add_number(browser)
    enter_code(browser, last_code(sms))
    assert opt_in(browser, True).status_code == 302
    assert account(app, interpreter).sms_opt_in is True

    assert add_number(browser, "+381 65 765 4321").status_code == 302
    user = account(app, interpreter)
    assert (user.phone, user.phone_verified_at, user.sms_opt_in) == ("+381657654321", None, False)

    enter_code(browser, last_code(sms))
    user = account(app, interpreter)
    assert user.phone == "+381657654321"
    assert user.phone_verified_at == DEFAULT_NOW
    assert user.sms_opt_in is False
    assert opt_in(browser, False).status_code == 302


def test_asking_again_for_the_verified_number_sends_nothing(app, browser, sms, interpreter):
    add_number(browser)
    enter_code(browser, last_code(sms))
    response = add_number(browser, MOBILE)
    assert response.status_code == 422
    assert "verified already" in field_error(response.get_data(as_text=True), "mobile-number")
    assert len(sms.requests) == 1


def test_a_malformed_number_is_refused_naming_the_phone_field(app, browser, sms, interpreter):
    response = add_number(browser, "12ab")
    assert response.status_code == 422
    assert "Use only digits" in field_error(response.get_data(as_text=True), "mobile-number")
    assert sms.requests == []
    assert account(app, interpreter).phone is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("+381 900 12345", "This is a premium-rate number: it cannot receive SMS and calls. Enter a mobile number."),
        ("+1 234 5678", "This number has too few digits for a number with country code +1."),
    ],
)
def test_a_number_that_cannot_receive_sms_and_calls_is_refused_before_any_sms(
    app, browser, sms, interpreter, typed, problem
):
    response = add_number(browser, typed)
    assert response.status_code == 422
    assert problem in field_error(response.get_data(as_text=True), "mobile-number")
    assert sms.requests == []
    assert account(app, interpreter).phone is None


def test_a_number_typed_with_00_and_its_trunk_zero_is_stored_in_e164(app, browser, sms, interpreter):
    assert add_number(browser, "0093 (0)70 123-4567").status_code == 302
    assert account(app, interpreter).phone == "+93701234567"
    assert len(sms.requests) == 1


def test_a_fourth_code_within_an_hour_is_refused(app, browser, sms, interpreter, clock):
    for minute in (0, 10, 20):
        clock.set(DEFAULT_NOW + timedelta(minutes=minute))
        assert add_number(browser).status_code == 302
    clock.set(DEFAULT_NOW + timedelta(minutes=30))
    fourth = add_number(browser)
    assert fourth.status_code == 429
    assert "You asked for 3 codes within an hour. Ask again in 30 minutes." in field_error(
        fourth.get_data(as_text=True), "mobile-number"
    )
    assert len(sms.requests) == 3

    clock.set(DEFAULT_NOW + timedelta(minutes=60, seconds=1))
    assert add_number(browser).status_code == 302
    assert len(sms.requests) == 4


def test_a_number_twilio_refuses_is_shown_as_an_error_on_the_phone_field(app, browser, sms, interpreter):
    sms.answer_next(twilio_error(400, 21211, "The 'To' number +38164000000 is not a valid phone number."))
    response = add_number(browser, "+381 64 000 000")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "We could not send an SMS to this number" in field_error(page, "mobile-number")
    assert 'id="code"' not in page


def test_removing_the_number_stops_reminders_and_voids_a_waiting_code(app, browser, sms, interpreter):
    add_number(browser)
    enter_code(browser, last_code(sms))
    opt_in(browser, True)
    add_number(browser, "+381 65 765 4321")
    waiting = last_code(sms)

    assert browser.submit("/profile", {}, post_to="/profile/phone/remove").status_code == 302
    user = account(app, interpreter)
    assert (user.phone, user.phone_verified_at, user.sms_opt_in) == (None, None, False)
    assert enter_code(browser, waiting).status_code == 422
    assert account(app, interpreter).phone is None


@pytest.mark.parametrize(
    "path", ["/profile/phone", "/profile/phone/confirm", "/profile/phone/sms", "/profile/phone/remove"]
)
def test_every_phone_form_needs_the_csrf_token(app, browser, sms, interpreter, path):
    response = browser.client.post(path, data={"phone": MOBILE, "code": "123456", "sms_opt_in": "y"})
    assert response.status_code == 400
    assert sms.requests == []


def test_the_mobile_number_label_names_its_field_and_the_section_keeps_its_anchor(app, browser, interpreter):
    page = browser.get("/profile").get_data(as_text=True)
    assert '<section class="panel" id="phone">' in page  # where "/profile#phone" links and redirects land
    assert re.search(r'<label for="mobile-number">Mobile number</label>', page)
    assert re.search(r'<input [^>]*id="mobile-number"[^>]*name="phone"', page)
    ids = [id_ for tag, id_ in re.findall(r'(<[^>]*\bid="([^"]+)"[^>]*>)', page) if 'type="hidden"' not in tag]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_code_comes_in_the_language_the_person_reads_rris_in(app, browser, sms, tmp_path):
    """The code goes to the person asking for it: in the language they chose, whatever their browser says."""
    with committed(app):
        factories.interpreter(email="aylin@interpreters.example", locale="tr")
    english = "RRIS code: %(code)s. It expires in %(minutes)d minutes."
    turkish = "RRIS kodu: %(code)s. %(minutes)d dakika içinde geçersiz olur."
    with only_these_translations(app, tmp_path, {"tr": {english: turkish}}):
        browser.sign_in("aylin@interpreters.example", factories.PASSWORD)
        add_number(browser, headers={"Accept-Language": "en"})
    assert re.fullmatch(r"RRIS kodu: \d{6}\. 10 dakika içinde geçersiz olur\.", sms.sent_bodies[-1])
