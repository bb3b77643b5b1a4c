"""The webhook pages: a focal point registers his department's case system, sees the secret once,
rotates it, disables the endpoint and reads the delivery log; other roles are refused; bad URLs
are named next to the field."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from rris.accounts.models.accounts import User
from rris.audit.models.entries import AuditEntry
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.webhooks.models.webhooks import WebhookEndpoint
from tests import factories
from tests.conftest import committed
from tests.support.twilio_recorder import changed_settings

SECRET = re.compile(r'<code id="secret">(whsec_[A-Za-z0-9+/=]+)</code>')
# A public address as a literal: registering resolves the host, and a name would ask a DNS server.
# Nothing is ever sent to it (these tests deliver nothing).
CASE_SYSTEM = "https://193.105.96.20/rris"


@pytest.fixture
def people(app):
    """Serbia's Belgrade office with its caseworker and focal point, Albania's focal point, the hub."""
    with committed(app):
        belgrade = factories.department("RS", name="Belgrade asylum office")
        tirana = factories.department("AL", name="Tirana asylum directorate")
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        factories.user(Role.FOCAL_POINT, email="dragan@mup.rs.example", country=belgrade.country)
        factories.user(Role.FOCAL_POINT, email="arben@asylum.al.example", country=tirana.country)
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        factories.user(Role.ADMIN, email="ops@rris.example")
        factories.interpreter(email="mariam@pool.example")
        return {"belgrade": belgrade.id, "tirana": tirana.id}


def register(browser, department_id, url=CASE_SYSTEM, events=("booking.confirmed", "booking.cancelled")):
    return browser.submit(
        "/webhooks", {"department_id": department_id, "url": url, "description": "Case system", "events": list(events)}
    )


def endpoint_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("dragan@mup.rs.example", 200),
        ("ops@rris.example", 200),
        ("jelena@mup.rs.example", 403),
        ("hub@marri.example", 403),
        ("mariam@pool.example", 403),
    ],
)
def test_only_focal_points_and_admins_reach_the_webhook_pages(browser, people, email, status):
    browser.sign_in(email, factories.PASSWORD)
    assert browser.get("/webhooks").status_code == status
    assert ('href="/webhooks"' in browser.get("/").get_data(as_text=True)) is (status == 200)


@pytest.mark.parametrize("email", ["jelena@mup.rs.example", "hub@marri.example", "mariam@pool.example"])
def test_a_refused_role_cannot_post_an_endpoint_either(app, browser, people, email):
    browser.sign_in(email, factories.PASSWORD)
    data = {"department_id": people["belgrade"], "url": CASE_SYSTEM, "events": ["booking.confirmed"]}
    assert browser.submit("/", data, post_to="/webhooks").status_code == 403
    assert endpoint_count(app) == 0


def test_the_secret_is_shown_once_when_registered_and_never_again(app, browser, people):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    created = register(browser, people["belgrade"])
    assert created.status_code == 201
    secret = SECRET.search(created.get_data(as_text=True)).group(1)
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert (endpoint.secret, endpoint.url, endpoint.department_id) == (secret, CASE_SYSTEM, people["belgrade"])
        assert {event.value for event in endpoint.event_types} == {"booking.confirmed", "booking.cancelled"}
    later = browser.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
    assert secret not in later and CASE_SYSTEM in later
    assert secret not in browser.get("/webhooks").get_data(as_text=True)


def test_rotating_shows_a_new_secret_and_keeps_the_old_one_signing_for_the_overlap(app, browser, people):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    first = SECRET.search(register(browser, people["belgrade"]).get_data(as_text=True)).group(1)
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    page = f"/webhooks/{endpoint_id}"
    rotated = browser.submit(page, {}, post_to=f"{page}/rotate")
    second = SECRET.search(rotated.get_data(as_text=True)).group(1)
    assert second != first and "signed with the previous secret as well" in rotated.get_data(as_text=True)
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert (endpoint.secret, endpoint.previous_secret) == (second, first)


def test_disabling_and_enabling_from_the_page(app, browser, people):
    browser.sign_in("ops@rris.example", factories.PASSWORD)
    register(browser, people["belgrade"])
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    page = f"/webhooks/{endpoint_id}"
    disabled = browser.submit(page, {}, post_to=f"{page}/disable", follow_redirects=True).get_data(as_text=True)
    assert "nothing more is sent to it" in disabled and 'class="tag warn">disabled' in disabled
    enabled = browser.submit(page, {}, post_to=f"{page}/enable", follow_redirects=True).get_data(as_text=True)
    assert "changes from now on are sent to it" in enabled and 'class="tag ok">active' in enabled


def test_a_focal_point_sees_and_registers_only_for_his_own_country(app, browser, another_browser, people):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    register(browser, people["belgrade"])
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    another_browser.sign_in("arben@asylum.al.example", factories.PASSWORD)
    assert another_browser.get(f"/webhooks/{endpoint_id}").status_code == 404
    assert (
        another_browser.submit(f"/webhooks/{endpoint_id}", {}, post_to=f"/webhooks/{endpoint_id}/rotate").status_code
        == 404
    )
    assert CASE_SYSTEM not in another_browser.get("/webhooks").get_data(as_text=True)
    refused = register(another_browser, people["belgrade"])
    assert refused.status_code == 422 and endpoint_count(app) == 1
    assert "Belgrade asylum office" not in another_browser.get("/webhooks").get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "Enter the URL of your case system"),
        ("cases.mup.rs.example/rris", "Enter a full URL such as"),
        ("http://cases.mup.rs.example/rris", "The URL must start with https://."),
        ("https://user:secret@cases.mup.rs.example/rris", "Leave the user name and password out of the URL"),
        ("https://cases.mup.rs.example/rris#top", "Leave the part after # out of the URL."),
        ("https://10.1.2.3/rris", "private or local network address"),
        ("https://169.254.169.254/latest/meta-data", "private or local network address"),
        ("https://[::1]/rris", "private or local network address"),
        ("https://localhost/rris", "private or local network address"),
        ("http://127.0.0.1:8080/rris", "The URL must start with https://."),
    ],
)
def test_a_refused_url_is_named_next_to_the_field(app, browser, people, url, problem):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    response = register(browser, people["belgrade"], url=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="url-error">(.*?)</p>', page, re.S)
    assert error and problem in error.group(1).replace("&#39;", "'")
    assert endpoint_count(app) == 0


def test_loopback_is_accepted_only_where_the_setting_allows_it(app, browser, people):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    with changed_settings(app, webhook_allow_loopback=True):
        assert register(browser, people["belgrade"], url="http://127.0.0.1:8080/rris").status_code == 201
        assert register(browser, people["belgrade"], url="http://10.1.2.3/rris").status_code == 422
    assert endpoint_count(app) == 1


def test_no_event_chosen_is_named(app, browser, people):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    response = register(browser, people["belgrade"], events=())
    assert response.status_code == 422 and "Choose at least one event." in response.get_data(as_text=True)


def test_registering_rotating_disabling_and_enabling_are_in_the_audit_trail(app, browser, people):
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    register(browser, people["belgrade"])
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    page = f"/webhooks/{endpoint_id}"
    for step in ("rotate", "disable", "enable"):
        browser.submit(page, {}, post_to=f"{page}/{step}")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        dragan = db.session.scalar(select(User.id).where(User.email == "dragan@mup.rs.example"))
        serbia = db.session.scalar(select(Department.country_id).where(Department.id == people["belgrade"]))
    assert [entry.action for entry in entries] == [
        "webhook_endpoint.created",
        "webhook_endpoint.secret_rotated",
        "webhook_endpoint.disabled",
        "webhook_endpoint.enabled",
    ]
    assert {(e.subject_type, e.subject_id, e.actor_user_id, e.country_id) for e in entries} == {
        ("webhook_endpoint", str(endpoint_id), dragan, serbia)
    }
    assert all(entry.origin == "127.0.0.1" for entry in entries)
    assert entries[0].details["url"] == CASE_SYSTEM and entries[1].details["overlap_hours"] == "24"
    assert all("whsec_" not in str(entry.details) for entry in entries), "a secret reached the audit trail"
