"""On-demand calls: an index of the live calls by interpreter, and of answered calls by queue

Serving a queue asks who is in an on-demand call now; without an index that read went through
every call ever made, and grew with the history. The expected wait reads a queue's last answered
calls, newest first.

Revision ID: 0027_on_demand_call_indexes
Revises: 0026_unjoined_calls
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_on_demand_call_indexes'
down_revision = '0026_unjoined_calls'
branch_labels = None
depends_on = None

LIVE = "state IN ('answered', 'connected')"


def upgrade():
    with op.batch_alter_table('on_demand_calls', schema=None) as batch_op:
        batch_op.create_index('ix_on_demand_calls_live_interpreter', ['interpreter_id'], unique=False, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
        batch_op.create_index('ix_on_demand_calls_queue_answers', ['pair_key', 'answered_at'], unique=False)


def downgrade():
    with op.batch_alter_table('on_demand_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_on_demand_calls_queue_answers')
        batch_op.drop_index('ix_on_demand_calls_live_interpreter', postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
