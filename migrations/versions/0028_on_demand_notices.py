"""On-demand notices: PostgreSQL announces each committed change of an on-demand request, ring or availability

A signalling node pushes to its live pages what changed for them. On PostgreSQL it listens on
the channel `rris_ondemand` (`signaling/change_notices.py`) and reads at once when a notice
comes, instead of reading every RRIS_ONDEMAND_PUSH_MS. The notice is sent with the commit (never
for a rollback), and the rows of one transaction are one notice. A heartbeat that only moves
`last_heartbeat_at` along is not a change anyone sees: a switch on or off, a page gone or back is.
SQLite has no notices; its nodes go on reading at the interval.

Revision ID: 0028_on_demand_notices
Revises: 0027_on_demand_call_indexes
Create Date: 2026-12-07 05:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028_on_demand_notices'
down_revision = '0027_on_demand_call_indexes'
branch_labels = None
depends_on = None

SEEN_PRESENCE_CHANGE = (
    "OLD.available IS DISTINCT FROM NEW.available"
    " OR (OLD.last_heartbeat_at IS NULL) IS DISTINCT FROM (NEW.last_heartbeat_at IS NULL)"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION rris_on_demand_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('rris_ondemand', '');
            RETURN NULL;
        END
        $$
        """
    )
    for table in ("on_demand_calls", "on_demand_rings"):
        op.execute(
            f"CREATE TRIGGER {table}_notice AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION rris_on_demand_changed()"
        )
    op.execute(
        "CREATE TRIGGER interpreter_presence_added_notice AFTER INSERT OR DELETE ON interpreter_presence"
        " FOR EACH ROW EXECUTE FUNCTION rris_on_demand_changed()"
    )
    op.execute(
        "CREATE TRIGGER interpreter_presence_notice AFTER UPDATE ON interpreter_presence"
        f" FOR EACH ROW WHEN ({SEEN_PRESENCE_CHANGE}) EXECUTE FUNCTION rris_on_demand_changed()"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger, table in (
        ("interpreter_presence_notice", "interpreter_presence"),
        ("interpreter_presence_added_notice", "interpreter_presence"),
        ("on_demand_rings_notice", "on_demand_rings"),
        ("on_demand_calls_notice", "on_demand_calls"),
    ):
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    op.execute("DROP FUNCTION rris_on_demand_changed()")
