"""Coordinators add and edit interpreters from the pool pages, and see the accreditations to renew
as of their own date. A wrong value is named next to its field (422) and nothing is written;
others get 403; a post without its CSRF token is refused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.interpreters import Accreditation, InterpreterProfile
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.support.spreadsheets import unsafe_csv_cells

NEW_URL = "/interpreters/new"
FARID = {
    "name": "Farid Rahimi",
    "email": "farid@pool.example",
    "phone": "",
    "timezone": "Asia/Kabul",
    "gender": "male",
    "employment": "freelance",
    "language_pairs": "prs-srp:c1\r\npus-eng:c2",
    "dialects": "",
    "specialisations": "legal:2025-03-01",
    "accreditations": "RS:2025-06-01/2027-06-30 | MUP 17/2025",
    "hourly_rate": "30",
    "currency": "EUR",
    "daily_cap_minutes": "300",
    "rest_gap_minutes": "20",
    "notes": "",
}


def people(app, coordinator_zone: str = "Europe/Skopje") -> None:
    with committed(app):
        factories.country("RS")
        factories.user(Role.COORDINATOR, email="hub@marri.example", timezone=coordinator_zone)
        factories.caseworker("RS", email="jelena@mup.rs.example")
        factories.user(Role.FOCAL_POINT, email="focal@mup.rs.example")


def interpreter_id_of(app, email: str) -> int | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return user.interpreter_profile.id if user is not None and user.interpreter_profile else None


def test_a_coordinator_adds_an_interpreter_who_then_appears_in_the_pool(app, browser, mailbox):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    assert f'href="{NEW_URL}"' in browser.get("/interpreters").get_data(as_text=True)
    response = browser.submit(NEW_URL, FARID)
    interpreter_id = interpreter_id_of(app, "farid@pool.example")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/interpreters/{interpreter_id}")
    page = browser.get(f"/interpreters/{interpreter_id}").get_data(as_text=True)
    assert "Added to the pool" in page and "MUP 17/2025" in page
    pool = browser.get("/interpreters").get_data(as_text=True)
    assert "Farid Rahimi" in pool and "prs⇄srp" in pool and "eng⇄pus" in pool
    assert mailbox.messages == []  # as on import: they set a password through "forgot password"


def test_a_coordinator_edits_an_interpreter_from_the_form_as_shown(app, browser):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    browser.submit(NEW_URL, FARID)
    interpreter_id = interpreter_id_of(app, "farid@pool.example")
    edit_url = f"/interpreters/{interpreter_id}/edit"
    assert f'href="{edit_url}"' in browser.get(f"/interpreters/{interpreter_id}").get_data(as_text=True)
    form = browser.get(edit_url).get_data(as_text=True)
    assert "RS:2025-06-01/2027-06-30 | MUP 17/2025" in form and "prs-srp:c1" in form

    changed = {**FARID, "name": "Farid A. Rahimi", "language_pairs": "prs-srp:native", "daily_cap_minutes": "420"}
    response = browser.submit(edit_url, changed)
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.get(InterpreterProfile, interpreter_id)
        assert profile.name == "Farid A. Rahimi" and profile.daily_cap_minutes == 420
        assert [(p.language_a, p.language_b, p.proficiency.value) for p in profile.language_pairs] == [
            ("prs", "srp", "native")
        ]


def test_a_wrong_value_is_named_at_its_field_and_nothing_is_written(app, browser):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.submit(NEW_URL, {**FARID, "daily_cap_minutes": "900", "currency": "EURO"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="daily_cap_minutes-error"' in page and "outside 30 to 720" in page
    assert 'id="currency-error"' in page and "ISO 4217" in page
    assert 'value="Farid Rahimi"' in page  # what was typed stays in the form
    assert interpreter_id_of(app, "farid@pool.example") is None


def test_a_wrong_edit_changes_nothing(app, browser):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    browser.submit(NEW_URL, FARID)
    interpreter_id = interpreter_id_of(app, "farid@pool.example")
    edit_url = f"/interpreters/{interpreter_id}/edit"
    response = browser.submit(edit_url, {**FARID, "name": "Changed", "accreditations": "RS:2027-06-30/2025-01-01"})
    assert response.status_code == 422 and 'id="accreditations-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(InterpreterProfile, interpreter_id).name == "Farid Rahimi"


def test_only_coordinators_reach_the_forms(app, browser, another_browser):
    people(app)
    with committed(app):
        mariam = factories.interpreter(email="mariam@pool.example")
        mariam_id = mariam.id
    for email, client in (("jelena@mup.rs.example", browser), ("mariam@pool.example", another_browser)):
        client.sign_in(email, PASSWORD)
        for url in (NEW_URL, f"/interpreters/{mariam_id}/edit", "/pool/accreditations"):
            assert client.get(url).status_code == 403
        assert client.submit("/account", FARID, post_to=NEW_URL).status_code == 403
        assert client.submit("/account", FARID, post_to=f"/interpreters/{mariam_id}/edit").status_code == 403
        assert 'href="/interpreters/new"' not in client.get("/interpreters").get_data(as_text=True)
    assert interpreter_id_of(app, "farid@pool.example") is None


def test_a_post_without_the_csrf_token_is_refused(app, browser):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.client.post(NEW_URL, data=FARID)
    assert response.status_code == 400
    assert interpreter_id_of(app, "farid@pool.example") is None


def test_expiry_warnings_count_days_from_the_coordinators_own_date(app, clock, browser):
    """At 23:30 UTC it is already the next day in Skopje: 30 days left there, 31 by UTC."""
    clock.set(datetime(2026, 1, 12, 23, 30, tzinfo=UTC))
    skopje_today = date(2026, 1, 13)
    people(app)
    with committed(app):
        for days in (29, 30, 31):
            profile = factories.interpreter(email=f"ends{days}@pool.example", name=f"Ends in {days}", accredited_for=())
            profile.accreditations = [
                Accreditation(
                    country=factories.country("RS"),
                    valid_from=date(2025, 1, 1),
                    valid_to=skopje_today + timedelta(days=days),
                    reference=f"REF-{days}",
                )
            ]
    browser.sign_in("hub@marri.example", PASSWORD)
    page = browser.get("/pool/accreditations").get_data(as_text=True)
    assert "Ends in 29" in page and "Ends in 30" in page and "Ends in 31" not in page
    assert page.index("Ends in 29") < page.index("Ends in 30")
    assert 'data-days-left="29"' in page and 'data-days-left="30"' in page and "ends in 30 days" in page

    pool = browser.get("/interpreters").get_data(as_text=True)
    assert pool.count("RS ends in") == 2 and "Accreditations to renew (2)" in pool
    thirty = interpreter_id_of(app, "ends30@pool.example")
    assert "ends in 30 days" in browser.get(f"/interpreters/{thirty}").get_data(as_text=True)
    thirty_one = interpreter_id_of(app, "ends31@pool.example")
    assert "ends in" not in browser.get(f"/interpreters/{thirty_one}").get_data(as_text=True)


def test_the_warning_page_is_linked_from_the_pool_for_coordinators(app, browser):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    pool = browser.get("/interpreters").get_data(as_text=True)
    assert 'href="/pool/accreditations"' in pool
    page = browser.get("/pool/accreditations").get_data(as_text=True)
    assert "None. Every accreditation" in page


def test_a_formula_typed_as_a_name_is_kept_as_typed_and_exported_as_text(app, browser):
    people(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    formula = '=HYPERLINK("http://attacker.example","Click")'
    assert browser.submit(NEW_URL, {**FARID, "name": formula}).status_code == 302
    assert browser.submit(NEW_URL, {**FARID, "email": "quote@pool.example", "name": "'Quoted"}).status_code == 302
    with app.app_context():
        names = set(db.session.scalars(select(User.name).where(User.role == Role.INTERPRETER)))
    assert names == {formula, "'Quoted"}  # the form is no spreadsheet: nothing added, nothing taken
    edit_url = f"/interpreters/{interpreter_id_of(app, 'farid@pool.example')}/edit"
    assert 'value="=HYPERLINK(&#34;http://attacker.example&#34;,&#34;Click&#34;)"' in browser.get(edit_url).get_data(
        as_text=True
    )

    exported = browser.get("/pool/export.csv").get_data(as_text=True)
    assert unsafe_csv_cells(exported) == []
    names = {row["name"] for row in csv.DictReader(io.StringIO(exported))}
    assert names == {"'" + formula, "''Quoted"}
