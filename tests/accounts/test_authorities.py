"""Admins keep the authorities and their departments; a department with sessions ahead stays open."""

from datetime import UTC, datetime

from rris.accounts.models.accounts import User
from rris.accounts.services.api_tokens import create_api_token
from rris.audit.models.entries import AuditEntry
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.geography import Country, Department
from tests import factories
from tests.accounts.account_world import signed_in
from tests.conftest import DEFAULT_NOW, Browser, committed


def test_only_admins_open_the_authorities(app, browser, world):
    assert signed_in(browser, "nikola").client.get("/authorities").status_code == 200
    assert browser.client.get(f"/authorities/{world['serbia']}").status_code == 200
    for who in ("elena", "dragan"):
        other = signed_in(Browser(app.test_client()), who)
        assert other.client.get("/authorities").status_code == 403
        assert other.client.get(f"/authorities/{world['serbia']}").status_code == 403


def test_an_admin_renames_an_authority_and_opens_and_renames_a_department(app, browser, world):
    signed_in(browser, "nikola")
    serbia = f"/authorities/{world['serbia']}"
    assert (
        browser.submit(serbia, {"authority": "Asylum Office of Serbia"}, post_to=f"{serbia}/rename").status_code == 302
    )
    opened = browser.submit(
        serbia, {"name": "Asylum Office Subotica", "city": "Subotica", "timezone": ""}, post_to=f"{serbia}/departments"
    )
    assert opened.status_code == 302
    twice = browser.submit(
        serbia,
        {"name": "Asylum Office Subotica", "city": "Subotica", "timezone": "Mars/Olympus"},
        post_to=f"{serbia}/departments",
    )
    page = twice.get_data(as_text=True)
    assert twice.status_code == 422
    assert "This country has a department of that name already." in page
    assert "Choose a time zone from the list, like Europe/Belgrade." in page
    with app.app_context():
        assert db.session.get_one(Country, world["serbia"]).authority == "Asylum Office of Serbia"
        subotica = db.session.scalar(db.select(Department).where(Department.name == "Asylum Office Subotica"))
        assert subotica.timezone == "Europe/Belgrade" and subotica.active
        subotica_id = subotica.id
    renamed = browser.submit(
        f"/authorities/departments/{subotica_id}",
        {"name": "Asylum Centre Subotica", "city": "Subotica", "timezone": ""},
    )
    assert renamed.status_code == 302


def test_a_department_closes_only_without_sessions_ahead_or_caseworkers(app, browser, world):
    with committed(app):
        nis = db.session.get_one(Department, world["nis"])
        ahead = factories.booking(nis, starts_at=datetime(2026, 2, 2, 9, 0, tzinfo=UTC), state=BookingState.CONFIRMED)
        ahead_id, creator_id = ahead.id, ahead.created_by_id
    signed_in(browser, "nikola")
    page = f"/authorities/{world['serbia']}"
    close = f"/authorities/departments/{world['nis']}/close"
    refused = browser.submit(page, {"reason": "Merged into Belgrade."}, post_to=close)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "1 session is still ahead; cancel or move it first." in text
    assert "1 caseworker still works there; move or deactivate them first." in text
    with committed(app):
        db.session.get_one(User, creator_id).active = False
        db.session.execute(
            db.update(type(ahead)).where(type(ahead).id == ahead_id).values(state=BookingState.CANCELLED)
        )
    assert browser.submit(page, {"reason": ""}, post_to=close).status_code == 422
    assert browser.submit(page, {"reason": "Merged into Belgrade."}, post_to=close).status_code == 302
    with app.app_context():
        assert not db.session.get_one(Department, world["nis"]).active
    # A closed office is offered to no new caseworker.
    invite_page = browser.get("/accounts/new").get_data(as_text=True)
    assert "Asylum Office Niš" not in invite_page and "Asylum Office Belgrade" in invite_page


def test_changes_to_authorities_and_departments_are_in_the_audit_trail(app, browser, world):
    signed_in(browser, "nikola")
    serbia = f"/authorities/{world['serbia']}"
    browser.submit(serbia, {"authority": "Asylum Office of Serbia"}, post_to=f"{serbia}/rename")
    browser.submit(serbia, {"name": "Subotica", "city": "Subotica", "timezone": ""}, post_to=f"{serbia}/departments")
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.subject_type, e.country_id) for e in entries] == [
            ("authority.renamed", "authority", world["serbia"]),
            ("department.created", "department", world["serbia"]),
        ]


def test_a_closed_department_takes_no_new_bookings(app, browser, another_browser, world):
    signed_in(browser, "nikola")
    close = f"/authorities/departments/{world['nis']}/close"
    assert browser.submit(f"/authorities/{world['serbia']}", {"reason": "Merged."}, post_to=close).status_code == 302
    signed_in(another_browser, "elena")
    form = another_browser.get("/bookings/new").get_data(as_text=True)
    assert "Asylum Office Niš" not in form and "Asylum Office Belgrade" in form
    with committed(app):
        token = create_api_token(db.session.get_one(User, world["elena"]), "desk", DEFAULT_NOW)[1]
    booking = {
        "department_id": world["nis"],
        "applicant_language": "pus",
        "officer_language": "srp",
        "session_kind": "asylum_interview",
        "start_local": "2026-01-13T09:00",
        "duration_minutes": 60,
        "case_reference": "RS-2026-0042",
    }
    refused = app.test_client().post("/api/v1/bookings", json=booking, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422
    assert {"name": "department_id", "reason": "This department is closed and takes no new bookings."} in (
        refused.get_json()["invalid_params"]
    )
