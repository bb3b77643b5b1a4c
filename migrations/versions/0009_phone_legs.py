"""Telephone legs of calls, their statuses once each, dial-in PINs and wrong-PIN throttling

Bookings made before keep no PIN; one is made when their call room is next used.

Revision ID: 0009_phone_legs
Revises: 0008_call_guests
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_phone_legs'
down_revision = '0008_call_guests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dial_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caller_digest', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dial_in_failures'))
    )
    with op.batch_alter_table('dial_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dial_in_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_dial_in_failures_caller_at', ['caller_digest', 'at'], unique=False)

    op.create_table('phone_legs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('participant', sa.String(length=40), nullable=False),
    sa.Column('person_participant', sa.String(length=40), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('officer', 'interpreter', 'guest', name='callrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('direction', sa.Enum('outbound', 'inbound', name='phonedirection', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('number_tail', sa.String(length=4), nullable=False),
    sa.Column('call_sid', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('requested', 'queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', name='phonelegstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_phone_legs_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_legs_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_legs')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_phone_legs_call_sid'))
    )
    with op.batch_alter_table('phone_legs', schema=None) as batch_op:
        batch_op.create_index('ix_phone_legs_booking_requested', ['booking_id', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_legs_requested_at'), ['requested_at'], unique=False)

    op.create_table('phone_leg_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('leg_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', name='phonelegstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['leg_id'], ['phone_legs.id'], name=op.f('fk_phone_leg_events_leg_id_phone_legs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_leg_events')),
    sa.UniqueConstraint('leg_id', 'status', name=op.f('uq_phone_leg_events_leg_id_status'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dial_in_pin', sa.String(length=6), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_dial_in_pin'), ['dial_in_pin'], unique=False)



def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_dial_in_pin'))
        batch_op.drop_column('dial_in_pin')

    op.drop_table('phone_leg_events')
    with op.batch_alter_table('phone_legs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_legs_requested_at'))
        batch_op.drop_index('ix_phone_legs_booking_requested')

    op.drop_table('phone_legs')
    with op.batch_alter_table('dial_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_dial_in_failures_caller_at')
        batch_op.drop_index(batch_op.f('ix_dial_in_failures_at'))

    op.drop_table('dial_in_failures')
