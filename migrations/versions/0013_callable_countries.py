"""Countries the telephone fallback may call: every version coordinators saved, who and when

With no version saved, the default applies: the pool's countries and those of the interpreters'
verified phones. Replaces the RRIS_PHONE_PREFIXES setting.

Revision ID: 0013_callable_countries
Revises: 0012_call_display_name
Create Date: 2026-11-23 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_callable_countries'
down_revision = '0012_call_display_name'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('callable_country_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regions', sa.String(length=1000), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_callable_country_lists_saved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callable_country_lists'))
    )
    with op.batch_alter_table('callable_country_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callable_country_lists_saved_at'), ['saved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('callable_country_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callable_country_lists_saved_at'))

    op.drop_table('callable_country_lists')
