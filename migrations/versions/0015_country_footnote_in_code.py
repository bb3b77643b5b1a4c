"""Kosovo's footnote is a translated message, not a stored English sentence

`countries.footnote` held one English sentence, shown as it was on every page whatever the
reader's language. The footnote a name must carry is now a gettext message keyed by the
territory's ISO 3166 code (`rris.common.services.wording`), read in each reader's language, so
the column goes. Going down restores the sentence Kosovo's row held.

Revision ID: 0015_country_footnote_in_code
Revises: 0014_interface_locale_chosen
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_country_footnote_in_code'
down_revision = '0014_interface_locale_chosen'
branch_labels = None
depends_on = None

KOSOVO_FOOTNOTE = (
    "References to Kosovo shall be understood in the context of United Nations Security Council resolution 1244 (1999)."
)


def upgrade():
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.drop_column('footnote')


def downgrade():
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('footnote', sa.Text(), nullable=True))
    countries = sa.table('countries', sa.column('code', sa.String), sa.column('footnote', sa.Text))
    op.execute(countries.update().where(countries.c.code == 'XK').values(footnote=KOSOVO_FOOTNOTE))
