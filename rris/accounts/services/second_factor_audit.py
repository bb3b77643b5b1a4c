"""Second-factor changes and recovery-code uses into the audit trail, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from rris.access.domain.permissions import Actor
from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit


def audit_second_factor(
    action: str,
    account: User,
    origin: str | None,
    now: datetime,
    by: Actor | None = None,
    reason: str | None = None,
    **details: str,
) -> None:
    """Record `second_factor.<action>` on `account`, done by `by` (the person themself when None)."""
    event = AuditEvent(
        action=f"second_factor.{action}",
        subject_type="account",
        subject_id=str(account.id),
        reason=reason,
        details=details,
        country_id=account.home_country_id,
    )
    record_audit(event, by or actor_of(account), origin, now)
