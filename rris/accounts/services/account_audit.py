"""What account administration writes to the audit trail, and who did it from where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rris.access.domain.permissions import Actor
from rris.accounts.models.accounts import User
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit


@dataclass(frozen=True)
class Acting:
    """Who makes a change, from which address, at which instant."""

    actor: Actor
    origin: str | None
    now: datetime


def audit_account(
    action: str, user: User, acting: Acting, reason: str | None = None, details: Mapping[str, str] | None = None
) -> None:
    """Add the change of `user` to the audit trail, in the caller's transaction."""
    audit_record(action, "account", str(user.id), acting, reason, details, user.home_country_id)


def audit_record(
    action: str,
    subject_type: str,
    subject_id: str,
    acting: Acting,
    reason: str | None,
    details: Mapping[str, str] | None,
    country_id: int | None,
) -> None:
    """Add one change to the audit trail, in the caller's transaction."""
    event = AuditEvent(action, subject_type, subject_id, reason, dict(details or {}), country_id)
    record_audit(event, acting.actor, acting.origin, acting.now)
