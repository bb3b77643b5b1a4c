"""Checking the stored trail against its hash chain, and dropping its oldest part for retention."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from rris.audit.domain.chain import (
    PRUNED_ACTION,
    PRUNED_ANCHOR_DETAIL,
    ChainBreak,
    ChainedFields,
    StoredEntry,
    check_chain,
)
from rris.audit.models.entries import AuditEntry
from rris.audit.services.trail import append_now, chain_head, lock_chain
from rris.common.services.transactions import rows_changed
from rris.extensions import db

# Rows read from the database at a time while checking: memory stays flat however long the trail.
CHECK_BATCH_ROWS = 1000


def stored_entry(entry: AuditEntry) -> StoredEntry:
    """A row as the chain's rules read it."""
    values = {field.name: getattr(entry, field.name) for field in dataclass_fields(ChainedFields)}
    return StoredEntry(entry.id, ChainedFields(**values), entry.previous_hash, entry.hash)


def verify_trail() -> tuple[int, ChainBreak | None]:
    """How many entries were checked, and the first that breaks the chain (None: it holds).

    One SELECT streams the whole trail, so PostgreSQL checks a single snapshot while others append.
    """
    counted = 0

    def entries() -> Iterator[StoredEntry]:
        nonlocal counted
        rows = db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=CHECK_BATCH_ROWS)
        )
        for row in rows:
            counted += 1
            yield stored_entry(row)

    found = check_chain(entries())
    db.session.rollback()
    return counted, found


def prune_before(cut: datetime, now: datetime) -> int:
    """Drop the oldest entries, those before the first one at or after `cut`, within the caller's
    write transaction; first append an `audit.pruned` entry naming how many and the hash the
    oldest kept entry chains to, so the check still holds. Returns how many were dropped."""
    lock_chain(db.session())
    first_kept = db.session.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.at >= cut))
    older = select(func.count(AuditEntry.id))
    if first_kept is not None:
        older = older.where(AuditEntry.id < first_kept)
    count = db.session.scalar(older) or 0
    if count == 0:
        return 0
    if first_kept is None:
        anchor = chain_head(db.session())
    else:
        anchor = db.session.scalars(select(AuditEntry.previous_hash).where(AuditEntry.id == first_kept)).one()
    marker = ChainedFields(
        at=now,
        actor_user_id=None,
        actor_role=None,
        origin=None,
        action=PRUNED_ACTION,
        subject_type="audit",
        subject_id="trail",
        country_id=None,
        reason=None,
        details={PRUNED_ANCHOR_DETAIL: anchor, "entries": str(count), "before": cut.astimezone(UTC).isoformat()},
    )
    marker_id = append_now(marker, db.session()).id
    kept_from = marker_id if first_kept is None else first_kept
    return rows_changed(delete(AuditEntry).where(AuditEntry.id < kept_from))
