"""Bookings and assignments: partial indexes of the open bookings by start, and of each interpreter's held jobs by end

The upcoming list (open bookings not over an hour ago, soonest first, fifty a page) had no lower
bound on the start: PostgreSQL walked the start index from the first booking ever made and threw
away the 100,000 finished ones before the first row it kept (168 ms in the benchmark's pool). An
index of the open bookings alone, by start, begins where they begin.

The accreditation warnings count each interpreter's confirmed jobs not yet over, per clearance:
through the interpreter's index that read every job they ever held and looked each booking up.
An index of held (unreleased) assignments by the end of their busy span reads only those not over.

Revision ID: 0031_open_bookings_indexes
Revises: 0030_open_conflicts_index
Create Date: 2026-12-07 08:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031_open_bookings_indexes'
down_revision = '0030_open_conflicts_index'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('requested', 'offered', 'confirmed', 'in_progress', 'unfilled')")
HELD = sa.text("released_at IS NULL")


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_open_starts_at', ['starts_at', 'id'], unique=False, postgresql_where=OPEN, sqlite_where=OPEN)
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_held_until', ['interpreter_id', 'busy_until'], unique=False, postgresql_where=HELD, sqlite_where=HELD)


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_held_until', postgresql_where=HELD, sqlite_where=HELD)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_open_starts_at', postgresql_where=OPEN, sqlite_where=OPEN)
