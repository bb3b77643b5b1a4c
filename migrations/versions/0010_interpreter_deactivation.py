"""Interpreter deactivations: who took an interpreter out of the pool, when and why

`interpreter_profiles.active` stays what matching reads; this table is its history.

Revision ID: 0010_interpreter_deactivation
Revises: 0009_phone_legs
Create Date: 2026-11-22 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_interpreter_deactivation'
down_revision = '0009_phone_legs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interpreter_deactivations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interpreter_id', sa.Integer(), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('reactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reactivated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('reactivated_at IS NULL OR reactivated_at >= deactivated_at', name=op.f('ck_interpreter_deactivations_in_order')),
    sa.ForeignKeyConstraint(['deactivated_by_id'], ['users.id'], name=op.f('fk_interpreter_deactivations_deactivated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter_profiles.id'], name=op.f('fk_interpreter_deactivations_interpreter_id_interpreter_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reactivated_by_id'], ['users.id'], name=op.f('fk_interpreter_deactivations_reactivated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter_deactivations'))
    )
    with op.batch_alter_table('interpreter_deactivations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_deactivations_interpreter_id'), ['interpreter_id'], unique=False)


def downgrade():
    with op.batch_alter_table('interpreter_deactivations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_deactivations_interpreter_id'))

    op.drop_table('interpreter_deactivations')
