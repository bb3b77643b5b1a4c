"""Guests invited into a call by link (legal adviser, guardian)

Revision ID: 0008_call_guests
Revises: 0007_call_records
Create Date: 2026-11-22 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_call_guests'
down_revision = '0007_call_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_guests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('legal_adviser', 'guardian', name='guestkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('link_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_call_guests_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_call_guests_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_guests')),
    sa.UniqueConstraint('link_hash', name=op.f('uq_call_guests_link_hash'))
    )
    with op.batch_alter_table('call_guests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_guests_booking_id'), ['booking_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_guests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_guests_booking_id'))
    op.drop_table('call_guests')
