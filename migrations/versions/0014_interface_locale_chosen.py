"""A person's interface locale is their own choice or none: until they choose, their browser decides

`users.locale` held "en" for everyone, a default nobody chose (English was the only language).
It becomes nullable and those defaults become NULL, so Accept-Language and the language switcher
apply to people who signed in before this revision too. Ten characters hold every interface
locale ("sr_Latn", "sr_Cyrl", "fa_AF").

Revision ID: 0014_interface_locale_chosen
Revises: 0013_callable_countries
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_interface_locale_chosen'
down_revision = '0013_callable_countries'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('locale', existing_type=sa.String(length=10), nullable=True)
    op.execute("UPDATE users SET locale = NULL WHERE locale = 'en'")


def downgrade():
    op.execute("UPDATE users SET locale = 'en' WHERE locale IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('locale', existing_type=sa.String(length=10), nullable=False)
