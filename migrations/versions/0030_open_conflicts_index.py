"""Booking conflicts: an index of when each was resolved, so the desk starts from the open ones

The coordinators' desk asks for the open conflicts on sessions of the next three days. Without an
index on resolved_at, SQLite's planner started from the bookings instead, every session that
began before the window's end (the whole history, 100,000 rows in the benchmark's pool), and
probed each for a conflict: 0.6 s for a page that found none. With it, the few open conflicts
come first and each looks up its booking by key.

Revision ID: 0030_open_conflicts_index
Revises: 0029_report_rollups
Create Date: 2026-12-07 06:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030_open_conflicts_index'
down_revision = '0029_report_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_booking_conflicts_resolved_at', ['resolved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('booking_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_conflicts_resolved_at')
