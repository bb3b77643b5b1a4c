"""The second factor at sign-in: an authenticator app's code after the password, recovery codes,
throttled wrong codes, no replay, and enrolment required of admins, coordinators and focal points."""

import re
from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import select

from rris.accounts.domain.second_factor import totp_code, totp_step
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import RecoveryCode, TotpSecret
from rris.accounts.services.api_tokens import create_api_token
from rris.audit.models.entries import AuditEntry
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import DEFAULT_NOW, committed
from tests.support.second_factor import SECOND_STEP_PATH, next_totp_code

CODE_ERROR = "That code is not right, or it was used already."


def audited(app, action):
    """(subject id, actor's user id, reason, details) of each audit entry of `action`, oldest first."""
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(entry.subject_id, entry.actor_user_id, entry.reason, dict(entry.details)) for entry in entries]


def make_user(app, role=Role.ADMIN, **fields):
    with committed(app):
        return factories.user(role, **fields).email


def account(app, role):
    """(id, email) of a new account of `role`."""
    with committed(app):
        user = factories.user(role)
        return user.id, user.email


def code_now(offset_steps=0):
    return totp_code(factories.TOTP_SECRET, totp_step(DEFAULT_NOW) + offset_steps)


def password_step(browser, email):
    response = browser.submit("/login", {"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response.location.endswith(SECOND_STEP_PATH)
    return response


def test_an_admin_gives_a_code_from_the_app_after_the_password(app, browser):
    email = make_user(app)
    password_step(browser, email)
    assert browser.get("/").status_code == 302  # half signed in: nothing is open yet
    assert browser.get("/profile").location.startswith("/login")
    page = browser.get(SECOND_STEP_PATH).get_data(as_text=True)
    assert "Second step" in page and "authenticator app" in page
    response = browser.second_step(code_now())
    assert response.status_code == 302 and response.location == "/"
    assert browser.get("/profile").status_code == 200


def test_the_second_step_leads_where_the_person_was_going(app, browser):
    email = make_user(app, Role.COORDINATOR)
    browser.get("/reports")
    response = browser.submit("/login?next=/reports", {"email": email, "password": factories.PASSWORD})
    assert response.location.endswith(SECOND_STEP_PATH)
    assert browser.second_step(code_now()).location == "/reports"


def test_a_code_is_accepted_once_and_not_in_another_browser(app, browser, another_browser):
    email = make_user(app, Role.FOCAL_POINT)
    password_step(browser, email)
    assert browser.second_step(code_now()).status_code == 302
    password_step(another_browser, email)
    replayed = another_browser.second_step(code_now())
    assert replayed.status_code == 422 and CODE_ERROR in replayed.get_data(as_text=True)
    assert another_browser.get("/").status_code == 302
    # The app's next code (drift allows one step ahead) still works.
    assert another_browser.second_step(code_now(1)).status_code == 302


def test_a_code_too_old_or_wrong_is_refused(app, browser):
    email = make_user(app)
    password_step(browser, email)
    for code in (code_now(-2), code_now(2), "000000"):
        response = browser.second_step(code)
        assert response.status_code == 422 and CODE_ERROR in response.get_data(as_text=True)


def test_wrong_codes_are_throttled_and_then_even_the_right_one_waits(app, browser, clock):
    email = make_user(app)
    password_step(browser, email)
    for _ in range(app.extensions["rris.settings"].login_max_failures):
        assert browser.second_step("123456").status_code == 422
    throttled = browser.second_step(code_now())
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert "Too many attempts" in throttled.get_data(as_text=True)
    # A fresh password does not clear the count: a guesser cannot reset it that way.
    password_step(browser, email)
    assert browser.second_step(code_now()).status_code == 429
    clock.set(DEFAULT_NOW + timedelta(minutes=16))
    password_step(browser, email)
    assert browser.second_step(next_totp_code(app, email)).status_code == 302


def test_the_second_step_waits_only_a_few_minutes_after_the_password(app, browser, clock):
    email = make_user(app)
    password_step(browser, email)
    clock.set(DEFAULT_NOW + timedelta(minutes=6))
    response = browser.get(SECOND_STEP_PATH)
    assert response.status_code == 302 and response.location.endswith("/login")


def test_a_caseworker_without_a_second_factor_signs_in_with_the_password_alone(app, browser):
    email = make_user(app, Role.CASEWORKER)
    assert browser.sign_in(email, factories.PASSWORD).location == "/"
    assert browser.get("/bookings").status_code == 200


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up_before_anything_else(app, browser, clock):
    email = make_user(app, second_factor=False)
    assert browser.sign_in(email, factories.PASSWORD).location == "/"
    for path in ("/", "/bookings", "/profile", "/reports"):
        response = browser.get(path)
        assert response.status_code == 302 and response.location == "/profile/security", path
    page = browser.get("/profile/security").get_data(as_text=True)
    assert "Your role needs a second factor" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert 'src="data:image/svg+xml' in page  # the QR code
    wrong = browser.submit("/profile/security", {"code": "000000"}, post_to="/profile/security/app")
    assert wrong.status_code == 422 and "That code does not match" in wrong.get_data(as_text=True)
    shown = browser.submit(
        "/profile/security", {"code": totp_code(secret, totp_step(DEFAULT_NOW))}, post_to="/profile/security/app"
    )
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown.get_data(as_text=True))
    assert shown.status_code == 200 and len(set(codes)) == 10
    assert browser.get("/bookings").status_code == 200
    # The secret is stored encrypted, the recovery codes only as digests.
    with app.app_context():
        stored = db.session.scalar(select(TotpSecret.secret_encrypted))
        digests = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert secret not in stored and not {code.replace("-", "") for code in codes} & digests
    [(subject, actor, _reason, details)] = audited(app, "second_factor.enrolled")
    assert subject == str(actor) and details == {"method": "totp"}


def test_an_api_token_of_an_admin_without_a_second_factor_still_works(app, clock):
    with committed(app):
        admin = factories.user(Role.ADMIN, second_factor=False)
        _record, token = create_api_token(admin, "case system", DEFAULT_NOW)
    response = app.test_client().get("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, browser, another_browser):
    email = make_user(app, Role.CASEWORKER)
    browser.sign_in(email, factories.PASSWORD)
    page = browser.get("/profile/security").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    shown = browser.submit(
        "/profile/security", {"code": totp_code(secret, totp_step(DEFAULT_NOW))}, post_to="/profile/security/app"
    ).get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown)
    # A caseworker who set up an app is asked for it from now on.
    password_step(another_browser, email)
    response = another_browser.second_step(codes[0].upper().replace("-", " "))
    assert response.status_code == 302
    assert "9 codes are left" in another_browser.get("/").get_data(as_text=True)
    assert [details for *_who, details in audited(app, "second_factor.recovery_code_used")] == [{"codes_left": "9"}]
    another_browser.client.post("/logout", data={"csrf_token": another_browser.last_token})
    password_step(another_browser, email)
    reused = another_browser.second_step(codes[0])
    assert reused.status_code == 422 and CODE_ERROR in reused.get_data(as_text=True)


def test_new_recovery_codes_void_the_old_ones(app, browser, another_browser):
    email = make_user(app, Role.CASEWORKER, second_factor=True)
    browser.sign_in(email, factories.PASSWORD)
    first = browser.submit("/profile/security", {}, post_to="/profile/security/recovery-codes").get_data(as_text=True)
    second = browser.submit("/profile/security", {}, post_to="/profile/security/recovery-codes").get_data(as_text=True)
    old, new = (re.findall(r"<code>([a-z2-9-]{11})</code>", page) for page in (first, second))
    assert len(old) == len(new) == 10 and not set(old) & set(new)
    password_step(another_browser, email)
    assert another_browser.second_step(old[0]).status_code == 422
    assert another_browser.second_step(new[0]).status_code == 302
    assert len(audited(app, "second_factor.recovery_codes_renewed")) == 2


def test_an_admin_cannot_remove_the_last_second_factor_but_a_caseworker_can(app, browser, another_browser):
    admin = make_user(app)
    browser.sign_in(admin, factories.PASSWORD)
    refused = browser.submit("/profile/security", {}, post_to="/profile/security/app/remove")
    assert refused.status_code == 409 and "Your role needs a second factor" in refused.get_data(as_text=True)
    caseworker = make_user(app, Role.CASEWORKER, second_factor=True)
    another_browser.sign_in(caseworker, factories.PASSWORD)
    removed = another_browser.submit("/profile/security", {}, post_to="/profile/security/app/remove")
    assert removed.status_code == 302
    assert "Your authenticator app is removed." in another_browser.get("/profile/security").get_data(as_text=True)
    assert [details for *_who, details in audited(app, "second_factor.removed")] == [{"method": "totp"}]


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_admin_reset_needs_a_reason(app, browser, reason):
    admin = make_user(app)
    target = account(app, Role.COORDINATOR)
    browser.sign_in(admin, factories.PASSWORD)
    response = browser.submit(
        "/profile", {"reason": reason, "next": "/profile"}, post_to=f"/accounts/{target[0]}/second-factor/reset"
    )
    assert response.status_code == 302
    assert "Reason: Say why the second factor is reset." in browser.get("/profile").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == target[0])) is not None


def test_an_admin_resets_a_lost_device_and_the_person_sets_up_a_new_one(app, browser, another_browser):
    admin = make_user(app)
    target = account(app, Role.COORDINATOR)
    another_browser.sign_in(target[1], factories.PASSWORD)
    assert another_browser.get("/").status_code == 200
    browser.sign_in(admin, factories.PASSWORD)
    response = browser.submit(
        "/profile", {"reason": "Phone stolen", "next": "/profile"}, post_to=f"/accounts/{target[0]}/second-factor/reset"
    )
    assert response.location == "/profile"
    assert "is reset" in browser.get("/profile").get_data(as_text=True)
    assert another_browser.get("/").status_code == 302  # their sessions ended
    assert another_browser.sign_in(target[1], factories.PASSWORD).location == "/"  # no second step left...
    assert another_browser.get("/").location == "/profile/security"  # ...so they set one up first
    [(subject, actor, reason, details)] = audited(app, "second_factor.reset")
    assert (subject, reason, details["sessions_ended"]) == (str(target[0]), "Phone stolen", "1")
    assert actor != target[0]


def test_only_whoever_manages_an_account_resets_its_second_factor(app, browser):
    # A coordinator manages interpreters' accounts, not a focal point's: out of reach is not found.
    coordinator = make_user(app, Role.COORDINATOR)
    target = account(app, Role.FOCAL_POINT)
    browser.sign_in(coordinator, factories.PASSWORD)
    response = browser.submit("/profile", {"reason": "lost"}, post_to=f"/accounts/{target[0]}/second-factor/reset")
    assert response.status_code == 404


def test_passkey_exchanges_answer_problems_naming_the_field(app, browser):
    email = make_user(app, Role.CASEWORKER)
    browser.sign_in(email, factories.PASSWORD)
    browser.get("/profile/security")
    headers = {"X-CSRFToken": browser.last_token, "Accept": "application/json"}
    options = browser.client.post("/profile/security/passkeys/options", json={}, headers=headers)
    assert options.status_code == 200 and options.get_json()["rp"]["id"] == "rris.test"
    unnamed = browser.client.post(
        "/profile/security/passkeys", json={"name": " ", "credential": {"id": "x"}}, headers=headers
    )
    assert unnamed.status_code == 422 and unnamed.mimetype == "application/problem+json"
    assert unnamed.get_json()["invalid_params"] == [
        {"name": "name", "reason": "Give the passkey a name, such as the device it is on."}
    ]
    browser.client.post("/profile/security/passkeys/options", json={}, headers=headers)
    forged = browser.client.post(
        "/profile/security/passkeys", json={"name": "Laptop", "credential": {"id": "x"}}, headers=headers
    )
    assert forged.status_code == 422
    assert forged.get_json()["invalid_params"][0]["name"] == "credential"
    replay = browser.client.post(
        "/profile/security/passkeys", json={"name": "Laptop", "credential": {"id": "x"}}, headers=headers
    )
    assert replay.get_json()["invalid_params"][0]["reason"] == "Start adding the passkey again."


def test_a_passkey_sign_in_needs_the_password_first(app, browser):
    browser.get("/login")
    headers = {"X-CSRFToken": browser.last_token, "Accept": "application/json"}
    response = browser.client.post("/login/second-factor/passkey/options", json={}, headers=headers)
    assert response.status_code == 422 and response.get_json()["invalid_params"][0]["name"] == "credential"


def test_a_passkey_sign_in_is_offered_only_to_whom_has_a_passkey(app, browser):
    password_step(browser, make_user(app))
    browser.get(SECOND_STEP_PATH)
    headers = {"X-CSRFToken": browser.last_token, "Accept": "application/json"}
    response = browser.client.post("/login/second-factor/passkey/options", json={}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["invalid_params"][0]["reason"] == "No passkey is registered for this account."


def test_the_admin_partial_posts_a_reset_that_comes_back_to_the_account_s_page(app, browser):
    admin = make_user(app)
    target = account(app, Role.FOCAL_POINT)
    with app.test_request_context("/admin/accounts/7?tab=security"):
        html = render_template_string(
            '{% include "accounts/_second_factor_admin.html" %}', account=db.session.get(User, target[0])
        )
    assert f'action="/accounts/{target[0]}/second-factor/reset"' in html
    assert 'name="next" type="hidden" value="/admin/accounts/7?tab=security"' in html
    browser.sign_in(admin, factories.PASSWORD)
    browser.get("/profile")
    response = browser.client.post(
        f"/accounts/{target[0]}/second-factor/reset",
        data={"reason": "Lost phone", "next": "/admin/accounts/7?tab=security", "csrf_token": browser.last_token},
    )
    assert response.status_code == 302 and response.location == "/admin/accounts/7?tab=security"
