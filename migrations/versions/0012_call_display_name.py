"""Interpreters' names in calls: the name they choose to be shown by instead of their full name

Interpreters who chose none are shown by their first name.

Revision ID: 0012_call_display_name
Revises: 0011_applicant_keys
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_call_display_name'
down_revision = '0011_applicant_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interpreter_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_name', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('interpreter_profiles', schema=None) as batch_op:
        batch_op.drop_column('call_name')
