"""Reads of bookings join the audit trail: one trail, one retention, one check

Every row of `booking_reads` becomes a `booking.read` entry, appended to the hash chain in the
order the reads happened; then the table goes. The old rows knew neither the reader's role at
the time nor their address: the entry takes the account's role as it is now, and no address.
The hashing below is version 1 of `rris.audit.domain.chain.canonical`, copied so this
revision keeps working whatever the application's code becomes.

Going down brings the table back with the reads the trail holds; the entries stay, since the
trail is append-only (going up again does not copy a read twice).

Revision ID: 0023_reads_into_audit_trail
Revises: 0022_move_reason
Create Date: 2026-12-06 23:50:00

"""
import hashlib
import json
from datetime import UTC

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_reads_into_audit_trail'
down_revision = '0022_move_reason'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.audit.chain").digest()[:8], "big", signed=True)

audit_entries = sa.table(
    'audit_entries',
    sa.column('id', sa.Integer()),
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('actor_user_id', sa.Integer()),
    sa.column('actor_role', sa.String()),
    sa.column('origin', sa.String()),
    sa.column('action', sa.String()),
    sa.column('subject_type', sa.String()),
    sa.column('subject_id', sa.String()),
    sa.column('country_id', sa.Integer()),
    sa.column('reason', sa.String()),
    sa.column('details', sa.JSON()),
    sa.column('previous_hash', sa.String()),
    sa.column('hash', sa.String()),
)
booking_reads = sa.table(
    'booking_reads',
    sa.column('id', sa.Integer()),
    sa.column('booking_id', sa.Integer()),
    sa.column('user_id', sa.Integer()),
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('channel', sa.String()),
)
users = sa.table('users', sa.column('id', sa.Integer()), sa.column('role', sa.String()))
bookings = sa.table('bookings', sa.column('id', sa.Integer()), sa.column('country_id', sa.Integer()))


def _utc(at):
    # SQLite hands back naive datetimes: they were stored in UTC.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _hash(entry, previous_hash):
    payload = [
        1,
        entry['at'].strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        entry['actor_user_id'],
        entry['actor_role'],
        entry['origin'],
        entry['action'],
        entry['subject_type'],
        entry['subject_id'],
        entry['country_id'],
        entry['reason'],
        dict(sorted(entry['details'].items())),
        previous_hash,
    ]
    canonical = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    present = {
        (row.actor_user_id, row.subject_id, _utc(row.at))
        for row in bind.execute(
            sa.select(audit_entries.c.actor_user_id, audit_entries.c.subject_id, audit_entries.c.at)
            .where(audit_entries.c.action == 'booking.read')
        )
    }
    previous = bind.execute(
        sa.select(audit_entries.c.hash).order_by(audit_entries.c.id.desc()).limit(1)
    ).scalar() or GENESIS_HASH
    reads = bind.execute(
        sa.select(booking_reads.c.at, booking_reads.c.user_id, users.c.role, booking_reads.c.booking_id,
                  bookings.c.country_id, booking_reads.c.channel)
        .join(users, users.c.id == booking_reads.c.user_id)
        .join(bookings, bookings.c.id == booking_reads.c.booking_id)
        .order_by(booking_reads.c.at, booking_reads.c.id)
    )
    rows = []
    for read in reads:
        entry = {
            'at': _utc(read.at),
            'actor_user_id': read.user_id,
            'actor_role': read.role,
            'origin': None,
            'action': 'booking.read',
            'subject_type': 'booking',
            'subject_id': str(read.booking_id),
            'country_id': read.country_id,
            'reason': None,
            'details': {'channel': read.channel},
        }
        if (entry['actor_user_id'], entry['subject_id'], entry['at']) in present:
            continue
        entry['previous_hash'] = previous
        entry['hash'] = previous = _hash(entry, previous)
        rows.append(entry)
    if rows:
        op.bulk_insert(audit_entries, rows)
    with op.batch_alter_table('booking_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_reads_booking_at')
    op.drop_table('booking_reads')


def downgrade():
    op.create_table('booking_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_reads_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_reads'))
    )
    with op.batch_alter_table('booking_reads', schema=None) as batch_op:
        batch_op.create_index('ix_booking_reads_booking_at', ['booking_id', 'at'], unique=False)
    bind = op.get_bind()
    entries = bind.execute(
        sa.select(audit_entries.c.subject_id, audit_entries.c.actor_user_id, audit_entries.c.at, audit_entries.c.details)
        .where(audit_entries.c.action == 'booking.read', audit_entries.c.actor_user_id.in_(sa.select(users.c.id)))
        .order_by(audit_entries.c.id)
    )
    known = set(bind.execute(sa.select(bookings.c.id)).scalars())
    rows = [
        {'booking_id': int(entry.subject_id), 'user_id': entry.actor_user_id, 'at': _utc(entry.at),
         'channel': (entry.details or {}).get('channel', 'page')}
        for entry in entries
        if entry.subject_id.isdigit() and int(entry.subject_id) in known
    ]
    if rows:
        op.bulk_insert(booking_reads, rows)
