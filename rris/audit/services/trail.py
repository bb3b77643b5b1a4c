"""Appending to the audit trail, inside the caller's write transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select, text

from rris.access.domain.permissions import Actor
from rris.audit.domain.chain import GENESIS_HASH, ChainedFields, entry_hash
from rris.audit.domain.events import ORIGIN_MAX_CHARS, AuditEvent
from rris.audit.models.entries import AuditEntry
from rris.extensions import db

# One signed 64-bit key, derived from a name so it is stable and greppable in pg_locks.
CHAIN_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.audit.chain").digest()[:8], "big", signed=True)


def record_audit(event: AuditEvent, actor: Actor | None, origin: str | None, now: datetime) -> None:
    """Add the entry to the caller's open write transaction; the caller commits (atomic with the change).

    actor None = the system (scheduler). origin = the client's address (views pass request.remote_addr).
    On SQLite the caller's transaction must have begun with `begin_write` (the write lock
    serialises appenders); on PostgreSQL a transaction-scoped advisory lock does, held until commit.
    """
    lock_chain()
    fields = ChainedFields(
        at=now,
        actor_user_id=None if actor is None else actor.user_id,
        actor_role=None if actor is None else actor.role.value,
        origin=None if origin is None else origin[:ORIGIN_MAX_CHARS],
        action=event.action,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        country_id=event.country_id,
        reason=event.reason,
        details=dict(event.details),
    )
    previous = chain_head()
    db.session.add(
        AuditEntry(
            at=fields.at,
            actor_user_id=fields.actor_user_id,
            actor_role=fields.actor_role,
            origin=fields.origin,
            action=fields.action,
            subject_type=fields.subject_type,
            subject_id=fields.subject_id,
            country_id=fields.country_id,
            reason=fields.reason,
            details=dict(fields.details),
            previous_hash=previous,
            hash=entry_hash(fields, previous),
        )
    )
    # Written now, so the next entry of this transaction chains to this one.
    db.session.flush()


def lock_chain() -> None:
    """Make this transaction the chain's only appender until it ends (PostgreSQL; SQLite's write lock does it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def chain_head() -> str:
    """The hash of the newest entry, or the genesis hash of an empty trail (after `lock_chain`)."""
    newest = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return GENESIS_HASH if newest is None else newest
