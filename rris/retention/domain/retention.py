"""How long RRIS keeps personal data: the periods, and the instants before which records go.

The README's data map ("Personal data: the data map") lists each table with what it holds,
why, and for how long; this module is where those periods become cut-off instants for a
given `now`, and `rris.retention.services.retention` purges by them. Pure: the caller passes the
periods (from settings) and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Verification codes live ten minutes; a day later they only show who asked when.
PHONE_CODES_KEPT = timedelta(days=1)
# A retried creating request comes within minutes; a day covers a client's longest back-off.
IDEMPOTENCY_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class RetentionPolicy:
    """The periods, as configured."""

    session_days: int  # records of a session, from its end (RRIS_RETENTION_DAYS)
    sign_in_days: int  # sign-in attempts, ended browser sessions, dead API tokens
    audit_days: int  # the audit trail
    login_window: timedelta  # sign-in attempts are counted in this window: never purge inside it
    session_idle: timedelta  # a browser session unused this long has ended
    dial_in_window: timedelta  # wrong dial-in PINs are counted in this window


@dataclass(frozen=True)
class Cutoffs:
    """Instants before which each kind of record is purged."""

    session_ended: datetime
    sign_in: datetime
    idle_seen: datetime
    audit: datetime
    phone_code_expired: datetime
    idempotency: datetime
    dial_in: datetime


def cutoffs(now: datetime, policy: RetentionPolicy) -> Cutoffs:
    """The cut-off instants for `now`: a record older than its cut-off has served its purpose."""
    sign_in = now - max(timedelta(days=policy.sign_in_days), policy.login_window)
    return Cutoffs(
        session_ended=now - timedelta(days=policy.session_days),
        sign_in=sign_in,
        # Idle sessions end `session_idle` after they were last seen; count from then.
        idle_seen=sign_in - policy.session_idle,
        audit=now - timedelta(days=policy.audit_days),
        phone_code_expired=now - PHONE_CODES_KEPT,
        idempotency=now - IDEMPOTENCY_KEPT,
        dial_in=now - policy.dial_in_window,
    )
