"""Why a booking was moved: the reason chosen from a list, the mover's own words, who moved it

Moving a booking said nothing of why. The mover now picks a reason from a short list (shown to
every reader in their own language) and may add words of their own (shown quoted, as written),
and the booking keeps who moved it, so a message can say whose words they are.

Revision ID: 0022_move_reason
Revises: 0021_conflict_reason_params
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_move_reason'
down_revision = '0021_conflict_reason_params'
branch_labels = None
depends_on = None

MOVE_REASONS = ('applicant_ill', 'officer_unavailable', 'room_or_equipment', 'other')


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'move_reason',
            sa.Enum(*MOVE_REASONS, name='movereason', native_enum=False, create_constraint=True, length=32),
            nullable=True,
        ))
        batch_op.add_column(sa.Column('move_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('moved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_bookings_moved_by_id_users'), 'users', ['moved_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_bookings_moved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('moved_by_id')
        batch_op.drop_column('move_note')
        batch_op.drop_constraint(op.f('ck_bookings_movereason'), type_='check')
        batch_op.drop_column('move_reason')
