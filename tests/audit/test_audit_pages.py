"""The audit trail's page, its CSV export and the chain check, as administrators, focal points and
coordinators use them: each sees their part, filters it, downloads it, and an edit is caught."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.audit.domain.events import AuditEvent
from rris.audit.domain.trail_filter import PAGE_ROWS
from rris.audit.models.entries import AuditEntry
from rris.audit.services.trail import record_audit
from rris.bookings.models.bookings import Booking
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import Browser, committed

ROLE_CHANGE_REASON = "Took over the focal point duties for Serbia"


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _record(app, event: AuditEvent, by: str | None, at, origin: str | None = "198.51.100.7") -> None:
    with committed(app):
        actor = actor_of(_user(by)) if by else None
        begin_write()
        record_audit(event, actor, origin, at)


@pytest.fixture
def trail(app, clock, booked, browser):
    """A confirmed Serbian booking read by its interpreter on the page, an admin who changed a
    Serbian caseworker's role, a coordinator's edit of the interpreter, and an Albanian booking's read."""
    with committed(app):
        admin = factories.user(Role.ADMIN, email="admin@pool.example", name="Ana Admin")
        focal = factories.user(Role.FOCAL_POINT, email="focal@mup.rs.example", country=factories.country("RS"))
        factories.user(Role.FOCAL_POINT, email="focal@al.example", country=factories.country("AL"))
        factories.user(Role.COORDINATOR, email="coordinator@pool.example", name="Cora Coordinator")
        promoted = factories.caseworker("RS", email="promoted@mup.rs.example")
        albanian = factories.booking(department=factories.department("AL"))
        booking = db.session.get(Booking, booked)
        ids = {
            "admin": admin.id,
            "focal": focal.id,
            "promoted": promoted.id,
            "albanian": albanian.id,
            "serbia": booking.country_id,
            "albania": albanian.country_id,
            "interpreter": booking.assignments[0].interpreter_id,
        }
    assert browser.sign_in("mariam@pool.example", factories.PASSWORD).status_code == 302
    assert browser.get(f"/bookings/{booked}").status_code == 200
    now = clock.now()
    _record(
        app,
        AuditEvent(
            "account.role_changed",
            "account",
            str(ids["promoted"]),
            reason=ROLE_CHANGE_REASON,
            details={"from": "caseworker", "to": "focal_point"},
            country_id=ids["serbia"],
        ),
        "admin@pool.example",
        now + timedelta(minutes=1),
    )
    _record(
        app,
        AuditEvent("interpreter.updated", "interpreter", str(ids["interpreter"]), details={"fields": "notes"}),
        "coordinator@pool.example",
        now + timedelta(minutes=2),
    )
    _record(
        app,
        AuditEvent(
            "booking.read", "booking", str(ids["albanian"]), details={"channel": "api"}, country_id=ids["albania"]
        ),
        "admin@pool.example",
        now + timedelta(minutes=3),
    )
    ids["booking"] = booked
    return ids


def _signed_in(app, email: str):
    browser = Browser(app.test_client())
    assert browser.sign_in(email, factories.PASSWORD).status_code == 302
    return browser.client


def _row(page: str, entry_id: int) -> str:
    start = page.index(f'id="entry-{entry_id}"')
    return page[start : page.index("</tr>", start)]


def _entry_id(app, action: str, subject_id: str) -> int:
    with app.app_context():
        return db.session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == action, AuditEntry.subject_id == subject_id)
        ).first()


def test_an_admin_sees_a_booking_read_by_an_interpreter_and_a_role_change_with_its_reason(app, trail):
    client = _signed_in(app, "admin@pool.example")
    response = client.get("/audit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    read = _row(page, _entry_id(app, "booking.read", str(trail["booking"])))
    with app.app_context():
        reader = _user("mariam@pool.example").name
    assert reader in read and "Interpreter" in read and "Opened the booking&#39;s details" in read
    assert f"Booking {trail['booking']}" in read and "channel: page" in read and "127.0.0.1" in read
    change = _row(page, _entry_id(app, "account.role_changed", str(trail["promoted"])))
    assert "Ana Admin" in change and "Role changed" in change and ROLE_CHANGE_REASON in change
    assert "from: caseworker; to: focal_point" in change and "198.51.100.7" in change
    assert 'href="/audit"' in page  # the menu entry


def test_a_focal_point_sees_their_countrys_entries_only(app, trail):
    page = _signed_in(app, "focal@mup.rs.example").get("/audit").get_data(as_text=True)
    assert f'id="entry-{_entry_id(app, "booking.read", str(trail["booking"]))}"' in page
    assert ROLE_CHANGE_REASON in page
    assert f'id="entry-{_entry_id(app, "booking.read", str(trail["albanian"]))}"' not in page
    assert "Interpreter&#39;s record changed" not in page
    albanian = _signed_in(app, "focal@al.example").get("/audit").get_data(as_text=True)
    assert f'id="entry-{_entry_id(app, "booking.read", str(trail["albanian"]))}"' in albanian
    assert ROLE_CHANGE_REASON not in albanian


def test_a_coordinator_sees_what_concerns_the_pool_and_not_who_read_case_data(app, trail):
    page = _signed_in(app, "coordinator@pool.example").get("/audit").get_data(as_text=True)
    assert "Interpreter&#39;s record changed" in page and "fields: notes" in page
    assert "Opened the booking&#39;s details" not in page and ROLE_CHANGE_REASON not in page


@pytest.mark.parametrize("email", ["jelena@mup.rs.example", "mariam@pool.example"])
def test_caseworkers_and_interpreters_have_no_audit_page_and_no_menu_entry(app, trail, email):
    client = _signed_in(app, email)
    assert client.get("/audit").status_code == 403
    assert client.get("/audit.csv").status_code == 403
    assert 'href="/audit"' not in client.get("/").get_data(as_text=True)


def test_filters_narrow_the_trail_by_action_subject_person_and_period(app, trail, clock):
    client = _signed_in(app, "admin@pool.example")
    read_id = _entry_id(app, "booking.read", str(trail["booking"]))
    change_id = _entry_id(app, "account.role_changed", str(trail["promoted"]))
    by_action = client.get("/audit?action=account.role_changed").get_data(as_text=True)
    assert f'id="entry-{change_id}"' in by_action and f'id="entry-{read_id}"' not in by_action
    by_subject = client.get(f"/audit?subject_type=booking&subject_id={trail['booking']}").get_data(as_text=True)
    assert f'id="entry-{read_id}"' in by_subject and f'id="entry-{change_id}"' not in by_subject
    by_person = client.get("/audit?actor=mariam").get_data(as_text=True)
    assert f'id="entry-{read_id}"' in by_person and f'id="entry-{change_id}"' not in by_person
    today = clock.now().date()
    before = client.get(f"/audit?first_day={today - timedelta(days=9)}&last_day={today - timedelta(days=1)}")
    assert "No entry matches the filter." in before.get_data(as_text=True)
    during = client.get(f"/audit?first_day={today}&last_day={today}").get_data(as_text=True)
    assert f'id="entry-{read_id}"' in during


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field(app, trail):
    client = _signed_in(app, "admin@pool.example")
    response = client.get("/audit?first_day=2026-01-10&last_day=2026-01-01")
    assert response.status_code == 400
    assert 'href="#last_day"' in response.get_data(as_text=True)
    assert "The last day comes before the first." in response.get_data(as_text=True)
    problem = client.get("/audit.csv?first_day=2026-01-10&last_day=2026-01-01", headers={"Accept": "application/json"})
    assert problem.status_code == 400 and "last_day" in problem.get_json()["invalid_params"][0]["name"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("first_day=0001-01-01&last_day=0001-01-02", "first_day"),
        ("first_day=9999-12-30&last_day=9999-12-31", "last_day"),
    ],
)
def test_a_day_outside_the_years_rris_takes_is_refused_naming_the_field(app, trail, query, field):
    client = _signed_in(app, "admin@pool.example")
    response = client.get(f"/audit?{query}")
    assert response.status_code == 400
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert "Give a day from 2000 to 2099 as YYYY-MM-DD." in response.get_data(as_text=True)
    problem = client.get(f"/audit.csv?{query}", headers={"Accept": "application/json"})
    assert problem.status_code == 400 and field in [item["name"] for item in problem.get_json()["invalid_params"]]


def test_the_csv_export_carries_the_filtered_rows_with_formula_cells_neutralised(app, trail, clock):
    _record(
        app,
        AuditEvent(
            "account.deactivated",
            "account",
            str(trail["promoted"]),
            reason='=HYPERLINK("http://x","y")',
            country_id=trail["serbia"],
        ),
        "admin@pool.example",
        clock.now() + timedelta(minutes=5),
    )
    response = _signed_in(app, "admin@pool.example").get(
        f"/audit.csv?subject_type=account&subject_id={trail['promoted']}"
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, entries = rows[0], rows[1:]
    assert header[:3] == ["Entry", "When (UTC)", "Account number"]
    assert [row[6] for row in entries] == ["account.deactivated", "account.role_changed"]
    assert entries[0][10] == '\'=HYPERLINK("http://x","y")'
    assert entries[1][10] == ROLE_CHANGE_REASON and entries[1][3] == "Ana Admin" and entries[1][9] == "RS"


def test_a_long_trail_is_paged_newest_first(app, trail, clock):
    for number in range(PAGE_ROWS + 1):
        _record(
            app,
            AuditEvent("setting.changed", "setting", f"s{number}"),
            "admin@pool.example",
            clock.now() + timedelta(hours=1, seconds=number),
        )
    client = _signed_in(app, "admin@pool.example")
    first = client.get("/audit?subject_type=setting").get_data(as_text=True)
    assert "Page 1 of 2" in first and f"Setting s{PAGE_ROWS}" in first
    assert "Setting s0<" not in first and 'rel="next"' in first
    second = client.get("/audit?subject_type=setting&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Setting s0" in second and 'rel="prev"' in second


def test_the_chain_check_passes_then_names_a_row_edited_in_the_database(app, trail):
    intact = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "The audit trail holds" in intact.output
    change_id = _entry_id(app, "account.role_changed", str(trail["promoted"]))
    with committed(app):
        db.session.execute(text("UPDATE audit_entries SET reason = 'No reason' WHERE id = :id"), {"id": change_id})
    broken = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"broken at entry {change_id}" in broken.output and "do not match its hash" in broken.output


def test_the_chain_check_names_an_entry_whose_predecessor_was_deleted(app, trail):
    change_id = _entry_id(app, "account.role_changed", str(trail["promoted"]))
    with committed(app):
        following = db.session.scalar(select(AuditEntry.id).where(AuditEntry.id > change_id).order_by(AuditEntry.id))
        db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": change_id})
    broken = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"broken at entry {following}" in broken.output and "does not chain" in broken.output
