"""What the use cases leave in the audit trail: booking changes, interpreter edits by coordinators,
setting changes, each with who and why but none of the personal data changed; and retention
dropping the oldest entries with the chain still checking."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from rris.access.queries.actors import actor_of
from rris.audit.domain.events import AuditEvent
from rris.audit.models.entries import AuditEntry
from rris.audit.services.chain_check import prune_before, verify_trail
from rris.audit.services.trail import record_audit
from rris.bookings.services.bookings import cancel_booking
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db
from rris.phone.services.callable_countries import save_callable_countries
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Dialect
from rris.pool.services.interpreter_records import create_interpreter, entry_of, update_interpreter
from rris.pool.services.pool_admin import deactivate_interpreter
from tests import factories
from tests.bookings.test_booking_flow import book, pool
from tests.conftest import DEFAULT_NOW
from tests.pool.test_interpreter_records import FARID, TODAY
from tests.support.booking_setup import waves


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_cancellation_is_in_the_trail_with_its_states_but_not_its_free_text(ctx):
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
    pool(1)
    booking = book(jelena)
    cancel_booking(booking.id, actor_of(jelena), "Applicant withdrew the claim", DEFAULT_NOW)
    (requested,) = _entries("booking.requested")
    (cancelled,) = _entries("booking.cancel")
    assert (cancelled.subject_type, cancelled.subject_id, cancelled.country_id) == (
        "booking",
        str(booking.id),
        booking.country_id,
    )
    assert (cancelled.actor_user_id, cancelled.actor_role) == (jelena.id, "caseworker")
    assert cancelled.details == {"from": "offered", "to": "cancelled"} and cancelled.reason is None
    assert "withdrew" not in str(cancelled.details) and requested.id < cancelled.id


def test_a_coordinators_edit_of_an_interpreter_names_the_fields_changed_never_their_values(ctx):
    hub = actor_of(factories.user(Role.COORDINATOR, email="hub@marri.example"))
    for code in ("RS", "AL"):
        factories.country(code)
    db.session.add(Dialect(language_code="pus", name="Southern (Kandahari)"))
    interpreter_id = create_interpreter(FARID, hub, DEFAULT_NOW, TODAY)
    entry = entry_of(db.session.get(InterpreterProfile, interpreter_id))
    update_interpreter(interpreter_id, {**entry, "phone": "", "notes": "Prefers mornings"}, hub, DEFAULT_NOW, TODAY)
    (created,) = _entries("interpreter.created")
    (updated,) = _entries("interpreter.updated")
    assert created.subject_id == updated.subject_id == str(interpreter_id)
    assert (updated.actor_user_id, updated.actor_role, updated.country_id) == (hub.user_id, "coordinator", None)
    assert updated.details == {"fields": "phone, notes"}
    # Saving the form unchanged leaves no entry.
    update_interpreter(
        interpreter_id, entry_of(db.session.get(InterpreterProfile, interpreter_id)), hub, DEFAULT_NOW, TODAY
    )
    assert len(_entries("interpreter.updated")) == 1


def test_taking_an_interpreter_out_of_the_pool_keeps_the_reason(ctx):
    hub = factories.user(Role.COORDINATOR, email="hub@marri.example")
    mariam = factories.interpreter(pairs=(("pus", "srp"),), email="mariam@interpreters.example")
    deactivate_interpreter(mariam.id, actor_of(hub), "Accreditation withdrawn", DEFAULT_NOW, waves())
    (entry,) = _entries("interpreter.deactivated")
    assert (entry.subject_id, entry.reason, entry.actor_user_id) == (str(mariam.id), "Accreditation withdrawn", hub.id)


def test_a_changed_setting_says_what_it_added_and_removed(ctx):
    hub = factories.user(Role.COORDINATOR, email="hub@marri.example")
    first = save_callable_countries({"RS", "AF"}, None, hub, DEFAULT_NOW)
    save_callable_countries({"RS", "TR", "IR"}, first.id, hub, DEFAULT_NOW + timedelta(minutes=1))
    latest = _entries("setting.changed")[-1]
    assert (latest.subject_type, latest.subject_id) == ("setting", "callable_countries")
    assert latest.details == {"added": "IR TR", "removed": "AF"}


def _append(count: int, start, step=timedelta(days=1)) -> None:
    begin_write()
    for number in range(count):
        record_audit(AuditEvent("setting.changed", "setting", f"s{number}"), None, None, start + number * step)
    db.session.commit()


def test_retention_drops_the_oldest_entries_twice_and_the_chain_still_checks(ctx):
    _append(5, DEFAULT_NOW - timedelta(days=10))
    begin_write()
    assert prune_before(DEFAULT_NOW - timedelta(days=7), DEFAULT_NOW) == 3
    db.session.commit()
    assert verify_trail() == (3, None)
    _append(2, DEFAULT_NOW + timedelta(days=1))
    begin_write()
    # Everything before the cut goes, the first pruning's own entry included.
    assert prune_before(DEFAULT_NOW + timedelta(days=1), DEFAULT_NOW + timedelta(days=3)) == 3
    db.session.commit()
    kept = db.session.execute(select(AuditEntry.subject_id, AuditEntry.action).order_by(AuditEntry.id)).all()
    assert [tuple(row) for row in kept] == [
        ("s0", "setting.changed"),
        ("s1", "setting.changed"),
        ("trail", "audit.pruned"),
    ]
    assert verify_trail() == (3, None)


def test_oldest_entries_deleted_without_a_pruning_entry_are_caught(ctx):
    _append(3, DEFAULT_NOW)
    oldest = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id))
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": oldest})
    db.session.commit()
    checked, found = verify_trail()
    assert checked == 2 and found is not None and found.entry_id == oldest + 1
    assert found.problem == "chains to an entry that no pruning of the trail accounts for"


def test_pruning_everything_before_the_cut_still_leaves_a_checkable_trail(ctx):
    _append(3, DEFAULT_NOW - timedelta(days=30))
    begin_write()
    assert prune_before(DEFAULT_NOW, DEFAULT_NOW) == 3
    db.session.commit()
    assert [entry.action for entry in db.session.scalars(select(AuditEntry))] == ["audit.pruned"]
    assert verify_trail() == (1, None)
