"""Rate-limit windows of the API, counted in the database so every portal worker shares them

One row per key (a digest of the token or client address, the scope and the limit): the hits
in its current fixed window and when the window ends, in seconds since the epoch. The
retention job deletes windows that have ended.

Revision ID: 0017_rate_limits
Revises: 0016_audit_trail
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_rate_limits'
down_revision = '0016_audit_trail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_windows',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_windows'))
    )
    with op.batch_alter_table('rate_limit_windows', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_windows_expires_at', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limit_windows', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_windows_expires_at')

    op.drop_table('rate_limit_windows')
