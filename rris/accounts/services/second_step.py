"""The second step of signing in: a code from the app, a recovery code or a passkey, throttled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.accounts.domain.login_throttle import ThrottlePolicy, throttled_until
from rris.accounts.domain.second_factor import (
    accepted_step,
    looks_like_totp_code,
    normalised_recovery_code,
)
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import RecoveryCode, SecondFactorAttempt, TotpSecret
from rris.accounts.services.second_factor import unused_recovery_codes
from rris.accounts.services.second_factor_audit import audit_second_factor
from rris.accounts.services.sign_in import recent_failures
from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.common.services.transactions import begin_write
from rris.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SecondStep:
    """A passed second step: who, and how many recovery codes are left when one was spent."""

    user: User
    recovery_codes_left: int | None = None


def verify_code(
    user_id: int, code: str, ip_address: str, now: datetime, policy: ThrottlePolicy, keys: SecondFactorKeys
) -> SecondStep:
    """Check a code from the app (six digits) or a recovery code; each is accepted once."""

    def check(user: User) -> SecondStep | None:
        if looks_like_totp_code(code):
            return _check_totp(user, code, keys, now)
        return _spend_recovery_code(user, code, keys, now, ip_address)

    return throttled_attempt(user_id, ip_address, now, policy, check)


def throttled_attempt(
    user_id: int,
    ip_address: str,
    now: datetime,
    policy: ThrottlePolicy,
    check: Callable[[User], SecondStep | None],
    refusal: tuple[str, str] | None = None,
) -> SecondStep:
    """Run `check` unless the account or address is throttled; record the attempt and commit.

    Raises TooManyAttempts while throttled (nothing is checked then) and InvalidInput when
    `check` finds nothing (it answers None), naming `refusal`'s field and problem.
    """
    begin_write()
    retry_at = throttled_until(
        policy,
        recent_failures(SecondFactorAttempt, SecondFactorAttempt.user_id == user_id, policy, now),
        recent_failures(SecondFactorAttempt, SecondFactorAttempt.ip_address == ip_address, policy, now),
        now,
    )
    if retry_at is not None:
        db.session.rollback()
        log.warning("second step throttled for an account or address until %s", retry_at.isoformat())
        raise TooManyAttempts(retry_at)
    user = db.session.get_one(User, user_id)
    passed = check(user) if user.active else None
    db.session.add(
        SecondFactorAttempt(user_id=user_id, ip_address=ip_address[:64], attempted_at=now, succeeded=passed is not None)
    )
    db.session.commit()
    if passed is None:
        field, problem = refusal or ("code", _("That code is not right, or it was used already."))
        raise InvalidInput({field: problem})
    return passed


def _check_totp(user: User, code: str, keys: SecondFactorKeys, now: datetime) -> SecondStep | None:
    record = db.session.scalar(
        select(TotpSecret)
        .where(TotpSecret.user_id == user.id, TotpSecret.confirmed_at.isnot(None))
        .with_for_update()  # two tabs sending one code: the second waits, then sees the step used
    )
    if record is None:
        return None
    step = accepted_step(keys.decrypt(record.secret_encrypted), code, now, record.last_used_step)
    if step is None:
        return None
    record.last_used_step = step
    return SecondStep(user)


def _spend_recovery_code(
    user: User, code: str, keys: SecondFactorKeys, now: datetime, origin: str
) -> SecondStep | None:
    record = db.session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == keys.recovery_digest(normalised_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if record is None:
        return None
    record.used_at = now
    db.session.flush()
    left = unused_recovery_codes(user.id)
    audit_second_factor("recovery_code_used", user, origin or None, now, codes_left=str(left))
    return SecondStep(user, recovery_codes_left=left)
