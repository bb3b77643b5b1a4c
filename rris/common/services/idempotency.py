"""`Idempotency-Key`: a retried creating request gets the first answer and creates nothing twice."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from rris.bookings.models.bookings import IdempotencyRecord
from rris.common.domain.errors import InvalidInput
from rris.extensions import db

MAX_KEY_LENGTH = 200


def fingerprint(method: str, path: str, payload: Any) -> str:
    """What identifies a request apart from its key: method, path and the canonical body."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path} {canonical}".encode()).hexdigest()


def check_key(key: str) -> str:
    """The key if usable, else InvalidInput naming the header."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            {"Idempotency-Key": ngettext("Use 1 to %(num)d character.", "Use 1 to %(num)d characters.", MAX_KEY_LENGTH)}
        )
    return key


def claim_key(user_id: int, key: str, request_fingerprint: str, now: datetime) -> dict[str, Any] | None:
    """Hold the key for this request, or return the result of the request that holds it.

    Call inside the write transaction, before the work. None: the key is ours, and
    `remember_result` fills in the answer before the caller commits. A dict: the first
    request's result, to replay. A key reused for another request is refused (InvalidInput).

    Racers meet at the unique (user, key) index, the same way on both databases: on SQLite the
    write lock taken by `begin_write` queues them, so each later one finds the record; on
    PostgreSQL a racer's insert waits for the holder's transaction, then fails on the index,
    and the racer reads the record the holder committed.
    """
    earlier = _earlier_result(user_id, key, request_fingerprint)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            db.session.add(
                IdempotencyRecord(
                    user_id=user_id,
                    key=key,
                    fingerprint=request_fingerprint,
                    status_code=201,
                    body="",  # the answer, written by remember_result in the same transaction
                    created_at=now,
                )
            )
    except IntegrityError:
        earlier = _earlier_result(user_id, key, request_fingerprint)
        if earlier is None:  # not the key's index after all: a real error
            raise
        return earlier
    return None


def remember_result(user_id: int, key: str, result: dict[str, Any]) -> None:
    """Store the answer on the key this request claimed; the caller commits it with the work."""
    db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .values(body=json.dumps(result))
    )


def _earlier_result(user_id: int, key: str, request_fingerprint: str) -> dict[str, Any] | None:
    """The stored result of an earlier request with this key, or None. A key reused for a
    different request is refused."""
    record = db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.fingerprint != request_fingerprint:
        db.session.rollback()
        raise InvalidInput({"Idempotency-Key": _("This key was used for a different request.")})
    return json.loads(record.body)
