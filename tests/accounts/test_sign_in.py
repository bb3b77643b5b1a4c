"""Signing in and out: argon2 passwords, throttling, CSRF, and sessions the server can end."""

from datetime import timedelta

from sqlalchemy import select

from rris.accounts.models.accounts import User, UserSession
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed


def make_caseworker(app, email="ana.petrovic@mup.rs.example"):
    with committed(app):
        factories.caseworker(email=email, name="Ana Petrović")
    return email


def test_passwords_are_stored_as_argon2id_hashes(app, ctx):
    user = factories.user(Role.COORDINATOR)
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_a_caseworker_signs_in_and_sees_her_department(app, browser):
    email = make_caseworker(app)
    response = browser.sign_in(email, factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = browser.get("/").get_data(as_text=True)
    assert "Ana Petrović" in page and "Serbia" in page


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(app, browser):
    email = make_caseworker(app)
    wrong_password = browser.sign_in(email, "not the password at all")
    unknown_account = browser.sign_in("nobody@mup.rs.example", "not the password at all")
    assert wrong_password.status_code == unknown_account.status_code == 422
    message = "The e-mail address or password is not right."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_account.get_data(as_text=True)


def test_a_login_form_without_its_csrf_token_is_rejected(app, browser):
    email = make_caseworker(app)
    response = browser.client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert browser.client.get("/").status_code == 302  # still not signed in


def test_a_forged_csrf_token_is_rejected(app, browser):
    email = make_caseworker(app)
    browser.get("/login")
    response = browser.client.post(
        "/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_guessing_is_throttled_after_five_failures_and_allowed_again_later(app, browser, clock):
    email = make_caseworker(app)
    for _ in range(5):
        assert browser.sign_in(email, "wrong wrong wrong").status_code == 422
    blocked = browser.sign_in(email, factories.PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)
    clock.advance(timedelta(minutes=16))
    assert browser.sign_in(email, factories.PASSWORD).status_code == 302


def test_sign_out_ends_the_session_on_the_server_even_for_a_copied_cookie(app, browser, another_browser):
    email = make_caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    stolen = browser.client.get_cookie("rris_session").value
    browser.get("/")
    assert browser.submit("/", {}, post_to="/logout").status_code == 302
    another_browser.client.set_cookie("rris_session", stolen)
    assert another_browser.client.get("/").status_code == 302  # the copy is dead as well
    with app.app_context():
        record = db.session.scalar(select(UserSession).join(User).where(User.email == email))
        assert record.revoked_at is not None


def test_an_idle_session_expires(app, browser, clock):
    email = make_caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    assert browser.client.get("/").status_code == 200
    clock.advance(timedelta(hours=3))
    assert browser.client.get("/").status_code == 302


def test_a_deactivated_account_loses_its_session_at_once(app, browser):
    email = make_caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    with committed(app):
        db.session.scalar(select(User).where(User.email == email)).active = False
    assert browser.client.get("/").status_code == 302


def test_after_sign_in_only_local_addresses_are_followed(app, browser):
    email = make_caseworker(app)
    browser.get("/login")
    response = browser.client.post(
        "/login?next=https://evil.example/",
        data={"email": email, "password": factories.PASSWORD, "csrf_token": browser.last_token},
    )
    assert response.headers["Location"] == "/"


def test_changing_the_password_signs_out_the_other_browsers(app, browser, another_browser):
    email = make_caseworker(app)
    browser.sign_in(email, factories.PASSWORD)
    another_browser.sign_in(email, factories.PASSWORD)
    response = browser.submit(
        "/profile",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a new and longer passphrase",
            "confirm": "a new and longer passphrase",
        },
        post_to="/profile/password",
    )
    assert response.status_code == 302
    assert browser.client.get("/").status_code == 200
    assert another_browser.client.get("/").status_code == 302
