"""Coordinators add and edit an interpreter by the pool file's rules: the same checks name the same
columns, the same steps write the profile, and what the file leaves out (phone, notes, clearance
references) is kept by the form."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from rris.access.queries.actors import actor_of
from rris.accounts.integrations.passwords import verify_password
from rris.accounts.models.accounts import User
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.enums import Employment, Proficiency, Role, Specialisation
from rris.extensions import db
from rris.matching.domain.rules import RejectionReason
from rris.matching.models.conflicts import SweepRequest
from rris.matching.services.booking_matching import match_leg
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Dialect
from rris.pool.services.interpreter_records import create_interpreter, entry_of, update_interpreter
from rris.pool.services.pool_import import apply_import, export_pool
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.pool.test_pool_csv import csv_of
from tests.pool.test_pool_import import NEW

TODAY = date(2026, 1, 12)
FARID = {
    "email": "Farid@Pool.example",
    "name": "Farid Rahimi",
    "phone": "+93 70 123 4567",
    "timezone": "Asia/Kabul",
    "gender": "male",
    "employment": "staff",
    "language_pairs": "prs-srp:c1\npus>eng:native\n",
    "dialects": "pus:Southern (Kandahari)",
    "specialisations": "trauma:2024-05-01\nlegal",
    "accreditations": "RS:2025-06-01/2027-06-30 | MUP 17/2025\nAL:2026-12-31",
    "hourly_rate": "32.5",
    "currency": "usd",
    "daily_cap_minutes": "300",
    "rest_gap_minutes": "20",
    "notes": "Prefers morning sessions.",
}


@pytest.fixture
def hub(ctx):
    for code in ("RS", "AL"):
        factories.country(code)
    db.session.add(Dialect(language_code="pus", name="Southern (Kandahari)"))
    db.session.flush()
    return actor_of(factories.user(Role.COORDINATOR, email="hub@marri.example"))


def profiles() -> int:
    return db.session.scalar(select(func.count()).select_from(InterpreterProfile))


def sweeps() -> list[int]:
    return list(db.session.scalars(select(SweepRequest.interpreter_id)))


def test_a_new_interpreter_gets_every_field_and_an_account_no_password_opens(hub):
    profile = db.session.get(InterpreterProfile, create_interpreter(FARID, hub, DEFAULT_NOW, TODAY))
    user = profile.user
    assert (user.email, user.name, user.role) == ("farid@pool.example", "Farid Rahimi", Role.INTERPRETER)
    assert not verify_password(user.password_hash, "") and user.phone == "+93701234567"
    assert user.phone_verified_at is None and not user.sms_opt_in
    assert profile.active and profile.employment is Employment.STAFF and profile.timezone == "Asia/Kabul"
    assert {(p.language_a, p.language_b, p.proficiency) for p in profile.language_pairs} == {
        ("prs", "srp", Proficiency.C1),
        ("eng", "pus", Proficiency.NATIVE),
    }
    assert [(d.language_code, d.name) for d in profile.dialects] == [("pus", "Southern (Kandahari)")]
    assert {(s.specialisation, s.trained_on) for s in profile.specialisations} == {
        (Specialisation.TRAUMA, date(2024, 5, 1)),
        (Specialisation.LEGAL, None),
    }
    assert sorted((a.country.code, a.valid_from, a.valid_to, a.reference) for a in profile.accreditations) == [
        ("AL", TODAY, date(2026, 12, 31), None),
        ("RS", date(2025, 6, 1), date(2027, 6, 30), "MUP 17/2025"),
    ]
    assert (profile.hourly_rate, profile.rate_currency) == (Decimal("32.50"), "USD")
    assert (profile.daily_cap_minutes, profile.rest_gap_minutes) == (300, 20)
    assert profile.notes == "Prefers morning sessions."


def test_the_new_interpreter_is_matched_on_language_and_accreditation(hub):
    interpreter_id = create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    booking = factories.booking(
        starts_at=datetime(2026, 1, 14, 8, 0, tzinfo=UTC), applicant_language="prs", officer_language="srp"
    )
    result = match_leg(booking, 1, DEFAULT_NOW, interpreter_ids=[interpreter_id])
    # No weekly hours are entered yet, so that is the one reason left.
    assert {r.reason for r in result.rejections[interpreter_id]} == {RejectionReason.OUTSIDE_AVAILABILITY}


def test_every_wrong_field_is_named_and_nothing_is_written(hub):
    entry = {
        **FARID,
        "daily_cap_minutes": "900",
        "currency": "XXQ",
        "language_pairs": "prs-prs:c1",
        "phone": "12",
        "accreditations": "RS:2027-06-30 | " + "x" * 101,
        "timezone": "Mars/Olympus",
    }
    with pytest.raises(InvalidInput) as raised:
        create_interpreter(entry, hub, DEFAULT_NOW, TODAY)
    errors = raised.value.errors
    assert set(errors) == {"daily_cap_minutes", "currency", "language_pairs", "phone", "accreditations", "timezone"}
    assert "outside 30 to 720" in errors["daily_cap_minutes"]
    assert "pairs a language with itself" in errors["language_pairs"]
    assert "100 characters" in errors["accreditations"]
    assert profiles() == 0
    assert db.session.scalar(select(User).where(User.email == "farid@pool.example")) is None


def test_a_number_the_numbering_plan_does_not_know_is_refused_on_the_pool_form(hub):
    with pytest.raises(InvalidInput) as raised:
        create_interpreter({**FARID, "phone": "+12345678"}, hub, DEFAULT_NOW, TODAY)
    assert raised.value.errors == {"phone": "This number has too few digits for a number with country code +1."}
    assert profiles() == 0


def test_an_address_already_in_use_is_refused(hub):
    factories.interpreter(email="farid@pool.example", name="Farid R.")
    factories.caseworker("RS", email="jelena@mup.rs.example")
    with pytest.raises(InvalidInput) as raised:
        create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    assert "Farid R. already has this address" in raised.value.errors["email"]
    with pytest.raises(InvalidInput) as raised:
        create_interpreter({**FARID, "email": "jelena@mup.rs.example"}, hub, DEFAULT_NOW, TODAY)
    assert "another account" in raised.value.errors["email"]


def test_editing_changes_the_record_and_asks_for_a_conflict_sweep(hub):
    interpreter_id = create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    entry = entry_of(db.session.get(InterpreterProfile, interpreter_id))
    entry.update(
        email="farid.rahimi@pool.example",
        language_pairs="prs-srp:c2",
        accreditations=entry["accreditations"].replace("2027-06-30 | MUP 17/2025", "2028-01-31 | MUP 3/2026"),
        phone="",
        notes="",
    )
    update_interpreter(interpreter_id, entry, hub, DEFAULT_NOW, TODAY)
    profile = db.session.get(InterpreterProfile, interpreter_id)
    db.session.refresh(profile)
    assert profile.user.email == "farid.rahimi@pool.example" and profile.user.phone is None and profile.notes is None
    assert [(p.language_a, p.language_b, p.proficiency) for p in profile.language_pairs] == [
        ("prs", "srp", Proficiency.C2)
    ]
    serbian = next(a for a in profile.accreditations if a.country.code == "RS")
    assert (serbian.valid_from, serbian.valid_to, serbian.reference) == (
        date(2025, 6, 1),
        date(2028, 1, 31),
        "MUP 3/2026",
    )
    assert sweeps() == [interpreter_id]


def test_saving_the_form_as_shown_changes_nothing(hub):
    interpreter_id = create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    profile = db.session.get(InterpreterProfile, interpreter_id)
    before = entry_of(profile)
    assert before["accreditations"] == "AL:2026-01-12/2026-12-31\nRS:2025-06-01/2027-06-30 | MUP 17/2025"
    update_interpreter(interpreter_id, before, hub, DEFAULT_NOW, TODAY)
    assert entry_of(db.session.get(InterpreterProfile, interpreter_id)) == before
    assert sweeps() == []


def test_editing_leaves_an_inactive_interpreter_inactive(hub):
    mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),))
    mariam.active = False
    db.session.flush()
    entry = {**entry_of(mariam), "daily_cap_minutes": "240"}
    update_interpreter(mariam.id, entry, hub, DEFAULT_NOW, TODAY)
    db.session.refresh(mariam)
    assert mariam.daily_cap_minutes == 240 and mariam.active is False


def test_an_edit_cannot_take_another_accounts_address(hub):
    factories.caseworker("RS", email="jelena@mup.rs.example")
    interpreter_id = create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    entry = {**entry_of(db.session.get(InterpreterProfile, interpreter_id)), "email": "jelena@mup.rs.example"}
    with pytest.raises(InvalidInput) as raised:
        update_interpreter(interpreter_id, entry, hub, DEFAULT_NOW, TODAY)
    assert set(raised.value.errors) == {"email"}
    assert db.session.get(InterpreterProfile, interpreter_id).user.email == "farid@pool.example"


def test_the_form_and_the_file_write_the_same_interpreter(hub):
    """One rule for each column: the form's entry of a file row exports back as that row."""
    cells = {**NEW, "language_pairs": "prs-srp:c1", "accreditations": "RS:2026-01-12/2027-06-30"}
    entry = {name: value for name, value in cells.items() if name != "active"}
    create_interpreter(entry, hub, DEFAULT_NOW, TODAY)
    exported = next(csv.DictReader(io.StringIO(export_pool(hub))))
    assert exported == {**cells, "hourly_rate": "20.00"}
    assert apply_import(csv_of(exported), hub, DEFAULT_NOW).rows[0].action == "unchanged"


def test_an_import_keeps_the_references_the_form_entered(hub):
    interpreter_id = create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    exported = next(csv.DictReader(io.StringIO(export_pool(hub))))
    apply_import(csv_of({**exported, "daily_cap_minutes": "360"}), hub, DEFAULT_NOW)
    profile = db.session.get(InterpreterProfile, interpreter_id)
    db.session.refresh(profile)
    assert profile.daily_cap_minutes == 360
    assert {a.country.code: a.reference for a in profile.accreditations} == {"AL": None, "RS": "MUP 17/2025"}


def test_only_coordinators_add_or_edit_interpreters(hub):
    mariam = factories.interpreter(email="mariam@pool.example")
    for actor in (actor_of(factories.caseworker("RS")), actor_of(mariam.user)):
        with pytest.raises(Forbidden):
            create_interpreter(FARID, actor, DEFAULT_NOW, TODAY)
        with pytest.raises(Forbidden):
            update_interpreter(mariam.id, entry_of(mariam), actor, DEFAULT_NOW, TODAY)
    assert profiles() == 1
