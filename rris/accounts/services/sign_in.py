"""Signing in with e-mail and password, throttled per account and per address."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from rris.accounts.domain.login_throttle import ThrottlePolicy, throttled_until
from rris.accounts.integrations.passwords import hash_password, needs_rehash, verify_password
from rris.accounts.models.accounts import LoginAttempt, User
from rris.accounts.models.second_factor import SecondFactorAttempt
from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.settings import Settings

log = logging.getLogger(__name__)


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """The limits from settings."""
    return ThrottlePolicy(
        max_failures_per_account=settings.login_max_failures,
        max_failures_per_address=settings.login_max_failures_per_ip,
        window=timedelta(minutes=settings.login_window_minutes),
    )


def authenticate(raw_email: str, password: str, ip_address: str, now: datetime, policy: ThrottlePolicy) -> User:
    """The active account for these credentials.

    Raises TooManyAttempts while throttled (the password is not even checked then) and
    InvalidInput with one message for any wrong e-mail or password, so accounts cannot
    be discovered by trying. `policy` holds the throttling limits.
    """
    email = (raw_email or "").strip().lower()
    begin_write()
    retry_at = throttled_until(
        policy,
        recent_failures(LoginAttempt, LoginAttempt.email == email, policy, now),
        recent_failures(LoginAttempt, LoginAttempt.ip_address == ip_address, policy, now),
        now,
    )
    if retry_at is not None:
        log.warning("sign-in throttled for an account or address until %s", retry_at.isoformat())
        raise TooManyAttempts(retry_at)
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    valid = verify_password(user.password_hash if user else None, password or "")
    succeeded = bool(user is not None and valid and user.active)
    db.session.add(LoginAttempt(email=email[:254], ip_address=ip_address[:64], attempted_at=now, succeeded=succeeded))
    if succeeded and user is not None and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.commit()
    if not succeeded or user is None:
        raise InvalidInput({"email": _("The e-mail address or password is not right.")})
    return user


def recent_failures(
    attempts: type[LoginAttempt] | type[SecondFactorAttempt],
    who: ColumnElement[bool],
    policy: ThrottlePolicy,
    now: datetime,
) -> list[datetime]:
    """When `who`'s failed `attempts` since their last success inside the window happened."""
    # Failures after the last success count; a successful attempt clears the slate.
    last_success = db.session.scalar(
        select(attempts.attempted_at)
        .where(who, attempts.succeeded.is_(True), attempts.attempted_at > now - policy.window)
        .order_by(attempts.attempted_at.desc())
        .limit(1)
    )
    since = max(filter(None, [now - policy.window, last_success]))
    return list(
        db.session.scalars(
            select(attempts.attempted_at).where(who, attempts.succeeded.is_(False), attempts.attempted_at > since)
        )
    )
