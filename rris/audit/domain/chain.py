"""The hash chain that makes the trail tamper-evident, and its check: pure, no database.

Each entry's hash is SHA-256 over a canonical serialisation of its fields and the hash of the
entry before it, so changing, inserting or removing an entry breaks every later link. Retention
may drop the oldest entries; it first appends an `audit.pruned` entry naming the hash the
oldest kept entry chains to, so the check anchors there instead of at the genesis.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

# What the first entry of a never-pruned trail chains to.
GENESIS_HASH = "0" * 64
PRUNED_ACTION = "audit.pruned"
# The detail of an `audit.pruned` entry naming the hash the oldest kept entry chains to.
PRUNED_ANCHOR_DETAIL = "anchor"
# Bumped if the serialisation ever changes, so old entries stay checkable by their own rule.
CANONICAL_VERSION = 1


@dataclass(frozen=True)
class ChainedFields:
    """Everything an entry's hash covers, as stored."""

    at: datetime
    actor_user_id: int | None
    actor_role: str | None
    origin: str | None
    action: str
    subject_type: str
    subject_id: str
    country_id: int | None
    reason: str | None
    details: Mapping[str, str]


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the check reads it back: its position, fields and the two hashes."""

    entry_id: int
    fields: ChainedFields
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not hold, and why."""

    entry_id: int
    problem: str


def canonical(fields: ChainedFields, previous_hash: str) -> bytes:
    """The exact bytes hashed for an entry: a JSON array in a fixed order, instants in UTC."""
    at = fields.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
        CANONICAL_VERSION,
        at,
        fields.actor_user_id,
        fields.actor_role,
        fields.origin,
        fields.action,
        fields.subject_type,
        fields.subject_id,
        fields.country_id,
        fields.reason,
        dict(sorted(fields.details.items())),
        previous_hash,
    ]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(fields: ChainedFields, previous_hash: str) -> str:
    """The entry's hash (hex SHA-256) given the hash of the entry before it."""
    return hashlib.sha256(canonical(fields, previous_hash)).hexdigest()


def check_chain(entries: Iterable[StoredEntry]) -> ChainBreak | None:
    """The first entry (in chain order) whose link or hash is wrong, or None when the chain holds.

    One pass, so a trail of any length is checked as it streams by. The oldest entry must chain
    to the anchor named by the newest `audit.pruned` entry, or to the genesis hash if none.
    """
    oldest: StoredEntry | None = None
    anchor = GENESIS_HASH
    found: ChainBreak | None = None
    previous = GENESIS_HASH
    for entry in entries:
        if entry.fields.action == PRUNED_ACTION and PRUNED_ANCHOR_DETAIL in entry.fields.details:
            anchor = entry.fields.details[PRUNED_ANCHOR_DETAIL]
        if oldest is None:
            oldest, previous = entry, entry.previous_hash
        if found is not None:
            continue
        if entry.previous_hash != previous:
            found = ChainBreak(entry.entry_id, "does not chain to the entry before it")
        elif entry_hash(entry.fields, entry.previous_hash) != entry.hash:
            found = ChainBreak(entry.entry_id, "its contents do not match its hash")
        previous = entry.hash
    if oldest is not None and oldest.previous_hash != anchor:
        return ChainBreak(oldest.entry_id, "chains to an entry that no pruning of the trail accounts for")
    return found
