"""Account administration: an account's version against lost updates, a pending invitation, departments that close

`users.version` goes up with every change an administrator makes to an account; the account's
page posts the version it showed, so of two people changing the same account at once the second
is told instead of silently undoing the first. `users.invited_at` is when the last invitation
went out, until the invitee chooses a password. `departments.active` is false for an office
that no longer takes bookings or caseworkers.

Revision ID: 0018_account_administration
Revises: 0017_rate_limits
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_account_administration'
down_revision = '0017_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('invited_at')
        batch_op.drop_column('version')
