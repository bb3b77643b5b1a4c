"""`Idempotency-Key`: a retried creating request gets the first answer and creates nothing twice."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from rris.domain.errors import InvalidInput
from rris.extensions import db
from rris.models import IdempotencyRecord

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


def earlier_result(user_id: int, key: str, request_fingerprint: str) -> dict[str, Any] | None:
    """The stored result of an earlier request with this key, or None. A key reused for a
    different request is refused."""
    record = db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.fingerprint != request_fingerprint:
        raise InvalidInput({"Idempotency-Key": _("This key was used for a different request.")})
    return json.loads(record.body)


def remember_result(user_id: int, key: str, request_fingerprint: str, result: dict[str, Any], now: datetime) -> None:
    """Store the result in the same transaction as the work; the caller commits."""
    db.session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            fingerprint=request_fingerprint,
            status_code=201,
            body=json.dumps(result),
            created_at=now,
        )
    )
