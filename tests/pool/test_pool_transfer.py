"""The pool CSV pages: a coordinator downloads the pool, checks a file, then imports it."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.pool.test_pool_csv import csv_of
from tests.pool.test_pool_import import NEW
from tests.support.spreadsheets import unsafe_csv_cells


def setup_pool(app):
    with committed(app):
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        factories.caseworker("RS", email="jelena@mup.rs.example")
        factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),))


def upload(browser, text: str, button: str):
    data = {"file": (BytesIO(text.encode()), "pool.csv"), button: "1"}
    return browser.submit("/pool/import", data, content_type="multipart/form-data")


def test_a_coordinator_downloads_the_pool_as_csv(app, browser):
    setup_pool(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.get("/pool/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="rris-pool.csv"'
    assert "mariam@pool.example" in response.get_data(as_text=True)


def test_check_only_shows_the_report_and_import_writes(app, browser):
    setup_pool(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    page = upload(browser, csv_of(NEW), "check").get_data(as_text=True)
    assert "farid@pool.example" in page and "create" in page and "ready to import" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "farid@pool.example")) is None

    response = upload(browser, csv_of(NEW), "run")
    assert response.status_code == 200 and "Imported" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "farid@pool.example")) is not None


def test_a_bad_row_is_listed_with_its_reason_and_nothing_is_imported(app, browser):
    setup_pool(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    response = upload(browser, csv_of({**NEW, "daily_cap_minutes": "-5"}), "run")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in page and "daily_cap_minutes" in page and "outside 30 to 720" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "farid@pool.example")) is None


def test_a_caseworker_cannot_reach_the_pool_files(app, browser):
    setup_pool(app)
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert browser.get("/pool/export.csv").status_code == 403
    assert browser.get("/pool/import").status_code == 403


def test_the_pool_page_links_import_and_export_for_coordinators_only(app, browser, another_browser):
    from rris.enums import Role
    from tests import factories
    from tests.conftest import committed

    with committed(app):
        factories.user(Role.COORDINATOR, email="hub.links@marri.example")
        factories.user(Role.FOCAL_POINT, email="focal.links@mup.rs.example")
    browser.sign_in("hub.links@marri.example", factories.PASSWORD)
    page = browser.get("/interpreters").get_data(as_text=True)
    assert 'href="/pool/import"' in page and 'href="/pool/export.csv"' in page
    another_browser.sign_in("focal.links@mup.rs.example", factories.PASSWORD)
    response = another_browser.get("/interpreters")
    assert response.status_code in (200, 403) and 'href="/pool/import"' not in response.get_data(as_text=True)


def test_a_formula_uploaded_as_a_name_downloads_as_text(app, browser):
    setup_pool(app)
    browser.sign_in("hub@marri.example", PASSWORD)
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=list(NEW))
    writer.writeheader()
    writer.writerow({**NEW, "name": '=HYPERLINK("http://attacker.example","Click")'})
    writer.writerow({**NEW, "email": "sum@pool.example", "name": "\r+SUM(1,2)"})
    assert upload(browser, out.getvalue(), "run").status_code == 200

    exported = browser.get("/pool/export.csv").get_data(as_text=True)
    assert unsafe_csv_cells(exported) == []
    names = {row["name"] for row in csv.DictReader(StringIO(exported))}
    assert {'\'=HYPERLINK("http://attacker.example","Click")', "'+SUM(1,2)"} <= names
