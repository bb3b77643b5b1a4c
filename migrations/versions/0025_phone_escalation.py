"""An interpreter now by telephone: on-call interpreters and phone rings

An interpreter may agree to be called on her verified phone for on-demand requests nobody answered
in time (`interpreter_presence.phone_on_call`). Such a call is a ring like a page's, on another
channel (`on_demand_rings.channel`), with the telephone leg that rings her
(`on_demand_rings.phone_leg_id`): one accept rule and one live ring per interpreter cover both.

Revision ID: 0025_phone_escalation
Revises: 0024_on_demand_calls
Create Date: 2026-12-07 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_phone_escalation'
down_revision = '0024_on_demand_calls'
branch_labels = None
depends_on = None

RING_CHANNELS = ('page', 'phone')


def upgrade():
    with op.batch_alter_table('interpreter_presence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_on_call', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('on_demand_rings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum(*RING_CHANNELS, name='ringchannel', native_enum=False, create_constraint=True, length=32), server_default='page', nullable=False))
        batch_op.add_column(sa.Column('phone_leg_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_on_demand_rings_phone_leg_id'), ['phone_leg_id'])
        batch_op.create_foreign_key(batch_op.f('fk_on_demand_rings_phone_leg_id_phone_legs'), 'phone_legs', ['phone_leg_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('on_demand_rings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_on_demand_rings_phone_leg_id_phone_legs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_on_demand_rings_phone_leg_id'), type_='unique')
        batch_op.drop_column('phone_leg_id')
        batch_op.drop_constraint(op.f('ck_on_demand_rings_ringchannel'), type_='check')
        batch_op.drop_column('channel')

    with op.batch_alter_table('interpreter_presence', schema=None) as batch_op:
        batch_op.drop_column('phone_on_call')
