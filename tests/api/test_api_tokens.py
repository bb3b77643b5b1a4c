"""Personal API tokens: created once on the profile page or the command line, stored hashed,
sent as Bearer, revocable."""

import re

from sqlalchemy import select

from rris.accounts.models.accounts import ApiToken
from rris.extensions import db
from tests import factories
from tests.conftest import committed


def create_on_profile(browser, name="Case system SRB-AMS"):
    page = browser.submit("/profile", {"name": name, "expires_in_days": ""}, post_to="/profile/tokens")
    assert page.status_code == 200, page.get_data(as_text=True)[-3000:]
    return re.search(r'<code class="token">(rris_[^<]+)</code>', page.get_data(as_text=True)).group(1)


def test_a_token_created_on_the_profile_page_authenticates_the_api(app, browser):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example", name="Jelena Marković")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    secret = create_on_profile(browser)
    api = app.test_client()
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Jelena Marković"
    assert browser.client.get("/profile").get_data(as_text=True).count(secret) == 0  # shown once only


def test_only_a_hash_of_the_token_is_stored(app, browser):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    secret = create_on_profile(browser)
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert secret not in (stored.token_hash, stored.prefix)
        assert len(stored.token_hash) == 64


def test_a_revoked_token_is_refused(app, browser):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    secret = create_on_profile(browser)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert browser.submit("/profile", {}, post_to=f"/profile/tokens/{token_id}/revoke").status_code == 302
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_tokens_are_created_from_the_command_line(app):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "jelena@mup.rs.example", "--name", "SRB case system"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.get_json()["email"] == "jelena@mup.rs.example"


def test_the_command_line_names_an_unknown_account(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "ghost@nowhere.example"])
    assert result.exit_code != 0
    assert "ghost@nowhere.example" in result.output


def test_an_unknown_bearer_token_is_refused_with_a_problem_document(app):
    response = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer rris_made_up"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


def test_a_token_without_a_name_is_refused_with_the_field_named(app, browser):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.submit("/profile", {"name": "  "}, post_to="/profile/tokens")
    assert page.status_code == 422
    assert "Name the token" in page.get_data(as_text=True)
