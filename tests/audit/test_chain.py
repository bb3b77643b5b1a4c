"""The hash chain's rules alone: what an entry's hash covers, and where the check says it breaks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from rris.audit.domain.chain import (
    GENESIS_HASH,
    PRUNED_ACTION,
    PRUNED_ANCHOR_DETAIL,
    ChainBreak,
    ChainedFields,
    StoredEntry,
    canonical,
    check_chain,
    entry_hash,
)
from rris.audit.domain.events import AuditEvent

AT = datetime(2026, 1, 12, 8, 0, 0, 123456, tzinfo=UTC)


def _fields(**changes: object) -> ChainedFields:
    base = ChainedFields(
        at=AT,
        actor_user_id=7,
        actor_role="interpreter",
        origin="203.0.113.5",
        action="booking.read",
        subject_type="booking",
        subject_id="42",
        country_id=3,
        reason=None,
        details={"channel": "page"},
    )
    return replace(base, **changes)


def _chain(*fields: ChainedFields, anchor: str = GENESIS_HASH) -> list[StoredEntry]:
    entries, previous = [], anchor
    for number, item in enumerate(fields, start=1):
        digest = entry_hash(item, previous)
        entries.append(StoredEntry(entry_id=number, fields=item, previous_hash=previous, hash=digest))
        previous = digest
    return entries


def test_the_hash_is_the_same_whatever_zone_the_instant_is_written_in_and_whatever_order_details_come_in():
    belgrade = AT.astimezone(timezone(timedelta(hours=1)))
    one = _fields(details={"from": "caseworker", "to": "focal_point"})
    other = _fields(at=belgrade, details={"to": "focal_point", "from": "caseworker"})
    assert entry_hash(one, GENESIS_HASH) == entry_hash(other, GENESIS_HASH)
    assert b'"2026-01-12T08:00:00.123456Z"' in canonical(one, GENESIS_HASH)


@pytest.mark.parametrize(
    "change",
    [
        {"at": AT + timedelta(microseconds=1)},
        {"actor_user_id": 8},
        {"actor_user_id": None},
        {"actor_role": "admin"},
        {"origin": "203.0.113.6"},
        {"action": "booking.updated"},
        {"subject_type": "interpreter"},
        {"subject_id": "43"},
        {"country_id": 4},
        {"reason": "asked by the office"},
        {"details": {"channel": "api"}},
    ],
)
def test_every_field_is_covered_by_the_hash(change):
    assert entry_hash(_fields(**change), GENESIS_HASH) != entry_hash(_fields(), GENESIS_HASH)


def test_the_hash_covers_the_previous_entry():
    assert entry_hash(_fields(), GENESIS_HASH) != entry_hash(_fields(), "f" * 64)


def test_an_intact_chain_holds():
    entries = _chain(_fields(), _fields(subject_id="43"), _fields(action="interpreter.updated"))
    assert check_chain(entries) is None


def test_an_edited_entry_is_named_as_the_first_break():
    entries = _chain(_fields(), _fields(subject_id="43"), _fields(subject_id="44"))
    entries[1] = replace(entries[1], fields=_fields(subject_id="99"))
    assert check_chain(entries) == ChainBreak(2, "its contents do not match its hash")


def test_a_rehashed_entry_breaks_the_link_of_the_next_one():
    entries = _chain(_fields(), _fields(subject_id="43"), _fields(subject_id="44"))
    forged = _fields(subject_id="99")
    entries[1] = replace(entries[1], fields=forged, hash=entry_hash(forged, entries[1].previous_hash))
    assert check_chain(entries) == ChainBreak(3, "does not chain to the entry before it")


def test_a_removed_entry_breaks_the_chain_at_the_one_after_it():
    entries = _chain(_fields(), _fields(subject_id="43"), _fields(subject_id="44"))
    del entries[1]
    assert check_chain(entries) == ChainBreak(3, "does not chain to the entry before it")


def test_a_pruned_prefix_holds_when_a_pruning_entry_names_the_anchor_and_breaks_without_it():
    entries = _chain(_fields(), _fields(subject_id="43"), _fields(subject_id="44"))
    anchor = entries[0].hash
    pruning = _fields(
        action=PRUNED_ACTION, subject_type="audit", subject_id="1", details={PRUNED_ANCHOR_DETAIL: anchor}
    )
    kept = _chain(entries[1].fields, entries[2].fields, pruning, anchor=anchor)
    assert check_chain(kept) is None
    unexplained = _chain(entries[1].fields, entries[2].fields, anchor=anchor)
    assert check_chain(unexplained) == ChainBreak(1, "chains to an entry that no pruning of the trail accounts for")


def test_a_break_at_the_oldest_entry_is_named_before_a_later_one():
    entries = _chain(_fields(), _fields(subject_id="43"), _fields(subject_id="44"), anchor="a" * 64)
    entries[2] = replace(entries[2], fields=_fields(subject_id="99"))
    assert check_chain(entries) == ChainBreak(1, "chains to an entry that no pruning of the trail accounts for")


def test_an_empty_trail_holds():
    assert check_chain([]) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "Booking.Read"},
        {"action": "read"},
        {"subject_type": "Booking"},
        {"subject_id": ""},
        {"reason": "  "},
        {"details": {"note": "x" * 201}},
        {"details": {str(n): "x" for n in range(13)}},
    ],
)
def test_a_malformed_event_is_refused_when_made(fields):
    values = {"action": "booking.read", "subject_type": "booking", "subject_id": "42", **fields}
    with pytest.raises(ValueError):
        AuditEvent(**values)


def test_an_event_keeps_its_own_copy_of_the_details():
    details = {"from": "caseworker"}
    event = AuditEvent("account.role_changed", "account", "5", reason="promoted", details=details)
    details["from"] = "admin"
    assert event.details == {"from": "caseworker"}
