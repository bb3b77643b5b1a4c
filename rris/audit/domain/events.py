"""What an audit entry says: an action on a subject, with a reason where one was asked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rris.enums import Role

# "booking.read", "account.role_changed": lower-case words, dotted, at least two parts.
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SUBJECT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ACTION_MAX_CHARS = 64
SUBJECT_TYPE_MAX_CHARS = 32
SUBJECT_ID_MAX_CHARS = 64
REASON_MAX_CHARS = 500
ORIGIN_MAX_CHARS = 64
# Details are a few short facts (a role before and after, a count), never a document.
DETAILS_MAX_ITEMS = 12
DETAIL_KEY_MAX_CHARS = 40
DETAIL_VALUE_MAX_CHARS = 200


class Doer(Protocol):
    """Who did it, as an entry names them: an account and its role (an `Actor` is one)."""

    @property
    def user_id(self) -> int:
        """The account's id."""
        ...

    @property
    def role(self) -> Role:
        """The account's role when it acted."""
        ...


@dataclass(frozen=True)
class AccountDoer:
    """An account and its role, when that is all an entry needs to know of the person."""

    user_id: int
    role: Role


@dataclass(frozen=True)
class AuditEvent:
    """Something a person (or the system) did that the trail keeps: validated when made."""

    action: str
    subject_type: str
    subject_id: str
    reason: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    country_id: int | None = None

    def __post_init__(self) -> None:
        if len(self.action) > ACTION_MAX_CHARS or not ACTION_PATTERN.match(self.action):
            raise ValueError(f"audit action {self.action!r} is not a dotted lower-case code")
        if len(self.subject_type) > SUBJECT_TYPE_MAX_CHARS or not SUBJECT_TYPE_PATTERN.match(self.subject_type):
            raise ValueError(f"audit subject type {self.subject_type!r} is not a lower-case word")
        if not self.subject_id or len(self.subject_id) > SUBJECT_ID_MAX_CHARS:
            raise ValueError(f"audit subject id must be 1 to {SUBJECT_ID_MAX_CHARS} characters")
        if self.reason is not None and (not self.reason.strip() or len(self.reason) > REASON_MAX_CHARS):
            raise ValueError(f"an audit reason is 1 to {REASON_MAX_CHARS} characters, or none")
        if len(self.details) > DETAILS_MAX_ITEMS:
            raise ValueError(f"audit details hold at most {DETAILS_MAX_ITEMS} items")
        for key, value in self.details.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError("audit details map text to text")
            if not key or len(key) > DETAIL_KEY_MAX_CHARS or len(value) > DETAIL_VALUE_MAX_CHARS:
                raise ValueError(f"audit detail {key!r} is too long")
        # Frozen and hashed later: keep a plain copy so a caller's dict changing afterwards changes nothing.
        object.__setattr__(self, "details", dict(self.details))
