"""Regional applicant keys: a keyed hash that links one applicant's bookings across countries

Bookings and objections carry the HMAC-SHA256 (hex) of the applicant's regional identifier and
the version of the pool secret that made it; never the identifier. Objections and continuity
("same interpreter as last time") look records up by it, hence the indexes. Rows made before
this revision have no key and keep working per (country, case reference).

Revision ID: 0011_applicant_keys
Revises: 0010_interpreter_deactivation
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_applicant_keys'
down_revision = '0010_interpreter_deactivation'
branch_labels = None
depends_on = None

_TABLES = ('bookings', 'case_objections')


def upgrade():
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('applicant_key', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('applicant_key_version', sa.SmallInteger(), nullable=True))
            batch_op.create_index(f'ix_{table}_applicant_key', ['applicant_key'], unique=False)


def downgrade():
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_applicant_key')
            batch_op.drop_column('applicant_key_version')
            batch_op.drop_column('applicant_key')
