"""Appending to the audit trail, inside the caller's write transaction.

An event is held on the session and chained when the transaction commits: the chain's lock is
then the last lock the transaction takes, so a use case that records an event and then locks
another booking cannot deadlock against one holding that booking and waiting for the chain.
A rollback drops the held events with the change they described.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session, SessionTransaction

from rris.audit.domain.chain import GENESIS_HASH, ChainedFields, entry_hash
from rris.audit.domain.events import ORIGIN_MAX_CHARS, AuditEvent, Doer
from rris.audit.models.entries import AuditEntry
from rris.extensions import db

# One signed 64-bit key, derived from a name so it is stable and greppable in pg_locks.
CHAIN_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.audit.chain").digest()[:8], "big", signed=True)
_PENDING = "rris.audit.pending"
_HOOKED = "rris.audit.hooked"


@dataclass(frozen=True)
class _Pending:
    fields: ChainedFields


def record_audit(event: AuditEvent, actor: Doer | None, origin: str | None, now: datetime) -> None:
    """Add the entry to the caller's open write transaction; the caller commits (atomic with the change).

    actor None = the system (scheduler). origin = the client's address (views pass request.remote_addr).
    The entry is chained at commit: on SQLite inside the write lock of `begin_write`, on
    PostgreSQL under a transaction-scoped advisory lock, so concurrent writers never fork the chain.
    """
    session = db.session()
    if not session.info.get(_HOOKED):
        sa_event.listen(session, "before_commit", _append_pending)
        sa_event.listen(session, "after_soft_rollback", _drop_pending)
        session.info[_HOOKED] = True
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
    session.info.setdefault(_PENDING, []).append(_Pending(fields))


def append_now(fields: ChainedFields, session: Session) -> AuditEntry:
    """Chain one entry in `session`'s transaction at once (the caller holds `lock_chain`)."""
    return _append_all([fields], session)[0]


def _append_all(items: list[ChainedFields], session: Session) -> list[AuditEntry]:
    """Chain entries in order after the newest one, reading the head once and writing them in one flush."""
    previous = chain_head(session)
    entries = []
    for fields in items:
        entry = AuditEntry(**asdict(fields), previous_hash=previous, hash=entry_hash(fields, previous))
        entries.append(entry)
        previous = entry.hash
    session.add_all(entries)
    # Written now, so the next entry chains to the last of these; in order, so ids follow the chain.
    session.flush()
    return entries


def lock_chain(session: Session) -> None:
    """Make this transaction the chain's only appender until it ends (PostgreSQL; SQLite's write lock does it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def chain_head(session: Session) -> str:
    """The hash of the newest entry, or the genesis hash of an empty trail (after `lock_chain`)."""
    newest = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return GENESIS_HASH if newest is None else newest


def _append_pending(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    lock_chain(session)
    _append_all([item.fields for item in pending], session)


def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back inside the transaction leaves the transaction's events standing.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
