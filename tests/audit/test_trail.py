"""Appending to the audit trail: atomic with the caller's change, chained, and one chain under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.audit.domain.chain import check_chain, entry_hash
from rris.audit.domain.events import AuditEvent
from rris.audit.models.entries import AuditEntry
from rris.audit.services.chain_check import stored_entry
from rris.audit.services.trail import record_audit
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.support.own_database import portal_on_own_database

WRITERS = 8
ENTRIES_EACH = 5


def _trail() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_an_entry_names_who_did_what_from_where_and_why_and_chains_to_the_one_before(ctx):
    admin = factories.user(Role.ADMIN)
    db.session.commit()
    begin_write()
    record_audit(
        AuditEvent("booking.read", "booking", "42", country_id=3, details={"channel": "api"}),
        actor_of(admin),
        "203.0.113.5",
        DEFAULT_NOW,
    )
    record_audit(
        AuditEvent(
            "account.role_changed",
            "account",
            "9",
            reason="Moved to the focal point post",
            details={"from": "caseworker", "to": "focal_point"},
        ),
        None,
        None,
        DEFAULT_NOW + timedelta(seconds=1),
    )
    db.session.commit()
    first, second = _trail()[-2:]
    assert (first.actor_user_id, first.actor_role, first.origin, first.action) == (
        admin.id,
        "admin",
        "203.0.113.5",
        "booking.read",
    )
    assert (second.actor_user_id, second.actor_role, second.reason, second.details) == (
        None,
        None,
        "Moved to the focal point post",
        {"from": "caseworker", "to": "focal_point"},
    )
    assert second.previous_hash == first.hash
    assert second.hash == entry_hash(stored_entry(second).fields, first.hash)


def test_an_entry_is_undone_with_the_change_it_records(ctx):
    before = len(_trail())
    begin_write()
    record_audit(AuditEvent("setting.changed", "setting", "callable_countries"), None, None, DEFAULT_NOW)
    db.session.rollback()
    assert len(_trail()) == before


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request: pytest.FixtureRequest, tmp_path: Path, smtp_server) -> Iterator[Flask]:
    """A portal on its own database, so that threads commit for real (no test transaction around them)."""
    with portal_on_own_database(request, request.param, tmp_path, smtp_server[1], "audit") as app:
        yield app


def test_writers_at_the_same_moment_never_fork_the_chain(fresh_app):
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        with fresh_app.app_context():
            start.wait()
            for item in range(ENTRIES_EACH):
                begin_write()
                event = AuditEvent("booking.read", "booking", f"{number}-{item}", details={"channel": "api"})
                record_audit(event, None, "127.0.0.1", DEFAULT_NOW + timedelta(microseconds=item))
                db.session.commit()

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))

    with fresh_app.app_context():
        entries = [stored_entry(entry) for entry in _trail()]
    assert len(entries) == WRITERS * ENTRIES_EACH
    assert len({entry.previous_hash for entry in entries}) == len(entries), "two entries chain to the same one"
    assert check_chain(entries) is None
