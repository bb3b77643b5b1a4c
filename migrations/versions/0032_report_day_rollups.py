"""Report rollups: a rollup may hold one day of a month still open, not only a calendar month

An open month's report counted its 110,000 bookings live (1.0-1.5 s at 1,000,000 bookings). Its
ended days are now kept the way closed months are: a rollup whose period is one local
day (`first_day = last_day`), made stale by the same triggers (0029_report_rollups bumps every
rollup whose period holds a changed booking's start, whatever its length). A rollup is therefore
keyed by its first and last day: the kept months get their last day, and the unique key takes it.

Revision ID: 0032_report_day_rollups
Revises: 0031_open_bookings_indexes
Create Date: 2026-12-07 11:50:00

"""

from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0032_report_day_rollups"
down_revision = "0031_open_bookings_indexes"
branch_labels = None
depends_on = None

ROLLUPS = sa.table(
    "report_rollups", sa.column("id", sa.Integer), sa.column("first_day", sa.Date), sa.column("last_day", sa.Date)
)


def _month_end(first_day):
    following = (
        date(first_day.year + 1, 1, 1) if first_day.month == 12 else date(first_day.year, first_day.month + 1, 1)
    )
    return following - timedelta(days=1)


@contextmanager
def _rebuilt_under_triggers():
    """SQLite rebuilds the table to change its unique key, renaming the new one into place; the
    triggers of 0029 name `report_rollups`, which does not exist at that moment, and SQLite's
    schema check on a rename refuses that: the legacy rename leaves them be (they name the table
    that is back once the rename is done)."""
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = ON")
    try:
        yield
    finally:
        if sqlite:
            op.execute("PRAGMA legacy_alter_table = OFF")


def upgrade():
    with op.batch_alter_table("report_rollups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_day", sa.Date(), nullable=True))
    connection = op.get_bind()
    for rollup_id, first_day in connection.execute(sa.select(ROLLUPS.c.id, ROLLUPS.c.first_day)).all():
        connection.execute(ROLLUPS.update().where(ROLLUPS.c.id == rollup_id).values(last_day=_month_end(first_day)))
    with _rebuilt_under_triggers():
        with op.batch_alter_table("report_rollups", schema=None) as batch_op:
            batch_op.alter_column("last_day", existing_type=sa.Date(), nullable=False)
            batch_op.drop_constraint("uq_report_rollups_month_filter", type_="unique")
            batch_op.create_unique_constraint(
                "uq_report_rollups_period_filter", ["zone_name", "first_day", "last_day", "filter_key"]
            )


def downgrade():
    # The days' rollups have no place in the month-keyed table: they go (they are only kept figures).
    op.execute(
        "DELETE FROM report_rollup_rows WHERE rollup_id IN (SELECT id FROM report_rollups WHERE first_day = last_day)"
    )
    op.execute(
        "DELETE FROM report_rollup_samples WHERE rollup_id IN "
        "(SELECT id FROM report_rollups WHERE first_day = last_day)"
    )
    op.execute("DELETE FROM report_rollups WHERE first_day = last_day")
    with _rebuilt_under_triggers():
        with op.batch_alter_table("report_rollups", schema=None) as batch_op:
            batch_op.drop_constraint("uq_report_rollups_period_filter", type_="unique")
            batch_op.create_unique_constraint(
                "uq_report_rollups_month_filter", ["zone_name", "first_day", "filter_key"]
            )
            batch_op.drop_column("last_day")
