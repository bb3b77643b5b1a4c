"""Errors in the site's layout or as problem+json; health; times shown with the zone named."""

import re

from rris.enums import Role
from tests import factories
from tests.conftest import committed


def test_an_unknown_page_is_a_404_in_the_site_layout(app, browser):
    response = browser.client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Regional Remote Interpretation Service" in page and "Not found" in page
    assert "Traceback" not in page


def test_api_errors_are_problem_documents(app):
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Not Found"


def test_bad_api_input_names_the_field(app):
    with committed(app):
        factories.user(Role.COORDINATOR, email="elena@marri.example")
    secret = app.test_cli_runner().invoke(args=["tokens", "create", "elena@marri.example"]).output.strip()
    response = app.test_client().get("/api/v1/languages?q=p", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["invalid_params"][0]["name"] == "q"
    found = app.test_client().get("/api/v1/languages?q=pus", headers={"Authorization": f"Bearer {secret}"})
    assert found.get_json()["items"][0]["code"] == "pus"


def test_a_role_without_access_gets_a_403_page(app, browser):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = browser.client.get("/interpreters")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_the_portal_reports_its_health(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "service": "portal", "database": "ok"}


def test_an_interpreter_sees_her_availability_in_her_own_zone_with_the_zone_named(app, browser):
    with committed(app):
        profile_id = factories.interpreter(email="mariam@pool.example", zone="Asia/Kabul").id
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    page = browser.client.get(f"/interpreters/{profile_id}").get_data(as_text=True)
    assert "Kabul (UTC+04:30)" in page
    assert "Mon</span> 09:00" in page


def test_the_overview_tells_a_caseworker_the_time_in_her_zone(app, browser, clock):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.client.get("/").get_data(as_text=True)
    assert "It is 09:00 in Belgrade (UTC+01:00)." in page  # 08:00 UTC in January


def test_security_headers_are_sent(app):
    response = app.test_client().get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Set-Cookie"].count("HttpOnly") == 1


def test_the_openapi_document_is_served(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/departments/{id}" in document["paths"]


def test_every_api_route_is_in_the_openapi_document(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<id:\w+>", "{id}", rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {path}"
