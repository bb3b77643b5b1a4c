"""An interpreter now: presence, on-demand calls and their rings

Interpreters switch "available now" on and their live page beats (`interpreter_presence`); an
officer's request for an interpreter now is a booking marked `on_demand` with its instants and
queue state (`on_demand_calls`); each interpreter asked has a ring (`on_demand_rings`), at most one
ringing at a time per interpreter (a partial unique index). The answered call holds an ordinary
assignment, so the existing overlap guarantee covers it: no new trigger or constraint is needed.

Revision ID: 0024_on_demand_calls
Revises: 0023_reads_into_audit_trail
Create Date: 2026-12-07 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_on_demand_calls'
down_revision = '0023_reads_into_audit_trail'
branch_labels = None
depends_on = None

CALL_STATES = ('waiting', 'ringing', 'answered', 'connected', 'ended', 'abandoned')
RING_OUTCOMES = ('accepted', 'declined', 'missed', 'stopped')


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_demand', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('interpreter_presence',
    sa.Column('interpreter_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter_profiles.id'], name=op.f('fk_interpreter_presence_interpreter_id_interpreter_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interpreter_id', name=op.f('pk_interpreter_presence'))
    )
    with op.batch_alter_table('interpreter_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_presence_last_heartbeat_at'), ['last_heartbeat_at'], unique=False)

    op.create_table('on_demand_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('pair_key', sa.String(length=16), nullable=False),
    sa.Column('state', sa.Enum(*CALL_STATES, name='callstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_ring_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('abandoned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interpreter_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_on_demand_calls_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter_profiles.id'], name=op.f('fk_on_demand_calls_interpreter_id_interpreter_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_on_demand_calls')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_on_demand_calls_booking_id'))
    )
    with op.batch_alter_table('on_demand_calls', schema=None) as batch_op:
        batch_op.create_index('ix_on_demand_calls_queue', ['pair_key', 'state', 'requested_at', 'id'], unique=False)

    op.create_table('on_demand_rings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('interpreter_id', sa.Integer(), nullable=False),
    sa.Column('rung_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum(*RING_OUTCOMES, name='ringoutcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['on_demand_calls.id'], name=op.f('fk_on_demand_rings_call_id_on_demand_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreter_profiles.id'], name=op.f('fk_on_demand_rings_interpreter_id_interpreter_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_on_demand_rings'))
    )
    with op.batch_alter_table('on_demand_rings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_on_demand_rings_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_on_demand_rings_interpreter_id'), ['interpreter_id'], unique=False)
        batch_op.create_index('uq_on_demand_rings_live', ['interpreter_id'], unique=True, postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))


def downgrade():
    with op.batch_alter_table('on_demand_rings', schema=None) as batch_op:
        batch_op.drop_index('uq_on_demand_rings_live', postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_on_demand_rings_interpreter_id'))
        batch_op.drop_index(batch_op.f('ix_on_demand_rings_call_id'))
    op.drop_table('on_demand_rings')
    with op.batch_alter_table('on_demand_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_on_demand_calls_queue')
    op.drop_table('on_demand_calls')
    with op.batch_alter_table('interpreter_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_presence_last_heartbeat_at'))
    op.drop_table('interpreter_presence')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('on_demand')
