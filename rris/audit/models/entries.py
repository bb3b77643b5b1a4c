"""The audit trail's table: one row per entry, each chained by hash to the one before."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rris.audit.domain.events import (
    ACTION_MAX_CHARS,
    ORIGIN_MAX_CHARS,
    REASON_MAX_CHARS,
    SUBJECT_ID_MAX_CHARS,
    SUBJECT_TYPE_MAX_CHARS,
)
from rris.common.models.types import UTCDateTime
from rris.extensions import Model

HASH_CHARS = 64


class AuditEntry(Model):
    """Who did what to which subject, when, from where and why; never changed once written.

    The actor is a plain user id, not a foreign key: the trail outlives accounts, and a cascade
    rewriting it would break the chain.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
        Index("ix_audit_entries_actor_user_id", "actor_user_id"),
        Index("ix_audit_entries_country_id", "country_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    origin: Mapped[str | None] = mapped_column(String(ORIGIN_MAX_CHARS))
    action: Mapped[str] = mapped_column(String(ACTION_MAX_CHARS))
    subject_type: Mapped[str] = mapped_column(String(SUBJECT_TYPE_MAX_CHARS))
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_MAX_CHARS))
    country_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX_CHARS))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(HASH_CHARS))
    hash: Mapped[str] = mapped_column(String(HASH_CHARS), unique=True)
