"""Answered on-demand calls nobody joined: a partial index for the scheduler's look every two seconds

The scheduler ends as technical failures the calls answered RRIS_ONDEMAND_JOIN_MINUTES ago that
never connected; the index holds only answered calls, so the look stays small as history grows.

Revision ID: 0026_unjoined_calls
Revises: 0025_phone_escalation
Create Date: 2026-12-07 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_unjoined_calls'
down_revision = '0025_phone_escalation'
branch_labels = None
depends_on = None

ANSWERED = sa.text("state = 'answered'")


def upgrade():
    with op.batch_alter_table('on_demand_calls', schema=None) as batch_op:
        batch_op.create_index('ix_on_demand_calls_answered', ['answered_at'], unique=False, postgresql_where=ANSWERED, sqlite_where=ANSWERED)


def downgrade():
    with op.batch_alter_table('on_demand_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_on_demand_calls_answered', postgresql_where=ANSWERED, sqlite_where=ANSWERED)
