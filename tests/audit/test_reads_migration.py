"""Upgrading moves the recorded reads of bookings into the audit trail, chained, and drops their table."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from rris.app import create_app
from rris.audit.models.entries import AuditEntry
from rris.audit.services.chain_check import verify_trail
from rris.enums import Role
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from tests import factories
from tests.conftest import settings_for_test

ROOT = Path(__file__).resolve().parents[2]
# The revision before the one under test, whatever number the migration carries once re-chained.
(_MIGRATION,) = (ROOT / "migrations" / "versions").glob("*_reads_into_audit_trail.py")
BEFORE = re.search(r"^down_revision = '([^']+)'", _MIGRATION.read_text(), re.MULTILINE).group(1)
FIRST = datetime(2025, 3, 1, 9, 30, 0, 250000, tzinfo=UTC)
SECOND = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reads.sqlite3'}"
    return request.getfixturevalue("postgres").create_database(f"reads_{tmp_path.name[-8:].lower()}")


def test_recorded_reads_become_chained_trail_entries(database_url, tmp_path):
    app = create_app(settings_for_test(tmp_path, database_url, 25))
    with app.app_context():
        upgrade()
        sync_languages()
        booking = factories.booking()
        reader = factories.user(Role.COORDINATOR)
        booking_id, country_id, reader_id = booking.id, booking.country_id, reader.id
        db.session.commit()
        db.session.close()
        downgrade(revision=BEFORE)
        insert = text("INSERT INTO booking_reads (booking_id, user_id, at, channel) VALUES (:b, :u, :at, :channel)")
        with db.engine.begin() as connection:
            connection.execute(insert, {"b": booking_id, "u": reader_id, "at": SECOND, "channel": "api"})
            connection.execute(insert, {"b": booking_id, "u": reader_id, "at": FIRST, "channel": "page"})
        upgrade()
        assert "booking_reads" not in inspect(db.engine).get_table_names()
        entries = db.session.execute(
            select(
                AuditEntry.at,
                AuditEntry.actor_user_id,
                AuditEntry.actor_role,
                AuditEntry.action,
                AuditEntry.subject_id,
                AuditEntry.country_id,
                AuditEntry.details,
            ).order_by(AuditEntry.id)
        ).all()
        assert [tuple(entry) for entry in entries] == [
            (FIRST, reader_id, "coordinator", "booking.read", str(booking_id), country_id, {"channel": "page"}),
            (SECOND, reader_id, "coordinator", "booking.read", str(booking_id), country_id, {"channel": "api"}),
        ]
        assert verify_trail() == (2, None)
        # Down and up again: the reads come back into their table and are not chained twice.
        downgrade(revision=BEFORE)
        assert db.session.scalar(text("SELECT count(*) FROM booking_reads")) == 2
        db.session.rollback()
        upgrade()
        assert verify_trail() == (2, None)
        db.engine.dispose()
