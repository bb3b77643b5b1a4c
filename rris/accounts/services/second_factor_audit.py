"""Second-factor changes and recovery-code uses into the audit trail, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from rris.access.domain.permissions import Actor
from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.accounts.services.account_audit import Acting, audit_account


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
    audit_account(f"second_factor.{action}", account, Acting(by or actor_of(account), origin, now), reason, details)
