"""Report rollups: the kept figures of closed months, and the triggers that mark them stale

A closed month's report figures are kept (`report_rollups` with its grouped rows and sorted
samples) so that the report page and a year's export add up a few hundred rows instead of
counting a million bookings. Whatever changes a figure of a kept month goes through one of the
tables below, by the ORM, a bulk statement or plain SQL; their triggers bump the `version` of
every rollup whose period holds the start of the booking concerned, which makes it stale (a
rollup counts only while `filled_version = version`). An interpreter's rate or a country's code
weighs on every month: changing one makes every rollup stale.

Revision ID: 0029_report_rollups
Revises: 0028_on_demand_notices
Create Date: 2026-12-07 05:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029_report_rollups'
down_revision = '0028_on_demand_notices'
branch_labels = None
depends_on = None

# What the report reads of a booking (`rris.reports.queries`): changing any of these changes a figure.
BOOKING_COLUMNS = (
    "starts_at", "ends_at", "state", "confirmed_at", "cancelled_late", "created_at", "modality", "on_demand",
    "applicant_language", "officer_language", "country_id", "department_id", "session_kind",
)
# Tables of rows that belong to one booking and weigh on its figures.
CHILD_TABLES = ("assignments", "call_summaries", "call_attendances", "phone_legs", "on_demand_calls")
# Tables whose columns weigh on every month's figures.
EVERY_MONTH = {"interpreter_profiles": ("hourly_rate", "rate_currency"), "countries": ("code",)}
EVENTS = ("INSERT", "UPDATE", "DELETE")
FUNCTIONS = ("report_rollups_stale_booking", "report_rollups_stale_booking_row", "report_rollups_stale_all")

HOLDS = "report_rollups.period_start <= {at} AND report_rollups.period_end > {at}"
BUMP = "UPDATE report_rollups SET version = version + 1 WHERE "


def upgrade():
    op.create_table('report_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_name', sa.String(length=64), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('filter_key', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filled_version', sa.Integer(), nullable=True),
    sa.Column('filled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollups')),
    sa.UniqueConstraint('zone_name', 'first_day', 'filter_key', name='uq_report_rollups_month_filter')
    )
    with op.batch_alter_table('report_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_report_rollups_period', ['period_start', 'period_end'], unique=False)

    op.create_table('report_rollup_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rollup_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=16), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('applicant_language', sa.String(length=16), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=True),
    sa.Column('modality', sa.String(length=16), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('flags', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('first', sa.BigInteger(), nullable=False),
    sa.Column('second', sa.BigInteger(), nullable=False),
    sa.Column('third', sa.BigInteger(), nullable=False),
    sa.Column('fourth', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['rollup_id'], ['report_rollups.id'],
                            name=op.f('fk_report_rollup_rows_rollup_id_report_rollups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollup_rows'))
    )
    with op.batch_alter_table('report_rollup_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_rollup_rows_rollup_id'), ['rollup_id'], unique=False)

    op.create_table('report_rollup_samples',
    sa.Column('rollup_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('values', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['rollup_id'], ['report_rollups.id'],
                            name=op.f('fk_report_rollup_samples_rollup_id_report_rollups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rollup_id', 'measure', name=op.f('pk_report_rollup_samples'))
    )
    if op.get_context().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers():
    columns = ", ".join(BOOKING_COLUMNS)
    for event in EVENTS:
        rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
        of = f" OF {columns}" if event == "UPDATE" else ""
        holds = " OR ".join(f"({HOLDS.format(at=row + '.starts_at')})" for row in rows)
        op.execute(
            f"CREATE TRIGGER report_rollups_stale_bookings_{event.lower()} AFTER {event}{of} ON bookings "
            f"BEGIN {BUMP}{holds}; END"
        )
        ids = ", ".join(f"{row}.booking_id" for row in rows)
        for table in CHILD_TABLES:
            op.execute(
                f"CREATE TRIGGER report_rollups_stale_{table}_{event.lower()} AFTER {event} ON {table} "  # noqa: S608
                f"BEGIN {BUMP}EXISTS (SELECT 1 FROM bookings WHERE bookings.id IN ({ids}) "
                f"AND {HOLDS.format(at='bookings.starts_at')}); END"
            )
    for table, table_columns in EVERY_MONTH.items():
        op.execute(
            f"CREATE TRIGGER report_rollups_stale_{table} AFTER UPDATE OF {', '.join(table_columns)} ON {table} "  # noqa: S608
            f"BEGIN UPDATE report_rollups SET version = version + 1; END"
        )


def _postgresql_triggers():
    op.execute(
        f"""
        CREATE FUNCTION report_rollups_stale_booking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {BUMP}{HOLDS.format(at='OLD.starts_at')}; END IF;
            IF TG_OP <> 'DELETE' THEN {BUMP}{HOLDS.format(at='NEW.starts_at')}; END IF;
            RETURN NULL;
        END $$
        """
    )
    bump_by_booking = (
        "UPDATE report_rollups SET version = report_rollups.version + 1 FROM bookings "  # noqa: S608
        f"WHERE bookings.id = {{row}}.booking_id AND {HOLDS.format(at='bookings.starts_at')}"
    )
    op.execute(
        f"""
        CREATE FUNCTION report_rollups_stale_booking_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {bump_by_booking.format(row='OLD')}; END IF;
            IF TG_OP <> 'DELETE' THEN {bump_by_booking.format(row='NEW')}; END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION report_rollups_stale_all() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE report_rollups SET version = version + 1;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER report_rollups_stale AFTER INSERT OR DELETE OR UPDATE OF {', '.join(BOOKING_COLUMNS)} "
        "ON bookings FOR EACH ROW EXECUTE FUNCTION report_rollups_stale_booking()"
    )
    for table in CHILD_TABLES:
        op.execute(
            f"CREATE TRIGGER report_rollups_stale AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION report_rollups_stale_booking_row()"
        )
    for table, table_columns in EVERY_MONTH.items():
        op.execute(
            f"CREATE TRIGGER report_rollups_stale AFTER UPDATE OF {', '.join(table_columns)} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION report_rollups_stale_all()"
        )


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        for table in ("bookings", *CHILD_TABLES, *EVERY_MONTH):
            op.execute(f"DROP TRIGGER IF EXISTS report_rollups_stale ON {table}")
        for function in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for event in EVENTS:
            for table in ("bookings", *CHILD_TABLES):
                op.execute(f"DROP TRIGGER IF EXISTS report_rollups_stale_{table}_{event.lower()}")
        for table in EVERY_MONTH:
            op.execute(f"DROP TRIGGER IF EXISTS report_rollups_stale_{table}")
    op.drop_table('report_rollup_samples')
    with op.batch_alter_table('report_rollup_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_rollup_rows_rollup_id'))
    op.drop_table('report_rollup_rows')
    with op.batch_alter_table('report_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_report_rollups_period')
    op.drop_table('report_rollups')
