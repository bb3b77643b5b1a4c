"""Migrations build the whole schema from empty on SQLite and PostgreSQL, match the models,
and go down and up again cleanly."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from rris.app import create_app
from rris.common.models.types import include_in_comparison
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.pool.services.languages import sync_languages
from tests import factories
from tests.conftest import TEST_SECRET_KEY, settings_for_test


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return request.getfixturevalue("postgres").create_database(f"migrations_{tmp_path.name[-8:].lower()}")


def test_from_empty_to_head_and_back(empty_database_url, tmp_path):
    app = create_app(settings_for_test(tmp_path, empty_database_url, 25))
    assert app.config["SECRET_KEY"] == TEST_SECRET_KEY
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {
            "countries",
            "departments",
            "users",
            "languages",
            "interpreter_profiles",
            "language_pairs",
            "accreditations",
            "availability_windows",
            "time_off",
            "api_tokens",
            "user_sessions",
        } <= tables
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": include_in_comparison})
            drift = compare_metadata(context, db.metadata)
        assert drift == [], f"models and migrations differ: {drift}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_down_past_account_administration_with_people_in_their_departments(empty_database_url, tmp_path):
    # SQLite rebuilds a table to drop a column; with foreign keys enforced, rebuilding
    # `departments` under its caseworkers' and bookings' references failed.
    app = create_app(settings_for_test(tmp_path, empty_database_url, 25))
    with app.app_context():
        upgrade()
        sync_languages()
        factories.booking()
        db.session.commit()
        downgrade(revision="0017_rate_limits")
        assert "active" not in {column["name"] for column in inspect(db.engine).get_columns("departments")}
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(Department)) == 1
        db.engine.dispose()
