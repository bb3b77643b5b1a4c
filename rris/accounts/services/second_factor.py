"""Setting up and removing a second factor: an authenticator app, recovery codes, an admin's reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from rris.access.domain.permissions import Actor, may_reset_second_factor, second_factor_required
from rris.access.queries.actors import account_facts
from rris.accounts.domain.second_factor import (
    accepted_step,
    new_recovery_codes,
    new_totp_secret,
    normalised_recovery_code,
)
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import Passkey, RecoveryCode, TotpSecret
from rris.accounts.services.second_factor_audit import audit_second_factor
from rris.accounts.services.sessions import end_all_sessions
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db

REASON_MAX_CHARS = 500


@dataclass(frozen=True)
class SecondFactorStatus:
    """What second factors a person has."""

    totp: bool
    passkeys: int
    recovery_codes_left: int

    @property
    def enrolled(self) -> bool:
        """True when the person can take the second step at sign-in."""
        return self.totp or self.passkeys > 0


def second_factor_status(user_id: int) -> SecondFactorStatus:
    """The person's confirmed app, passkeys and unused recovery codes."""
    totp = db.session.scalar(
        select(func.count(TotpSecret.id)).where(TotpSecret.user_id == user_id, TotpSecret.confirmed_at.isnot(None))
    )
    passkeys = db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user_id))
    return SecondFactorStatus(bool(totp), passkeys or 0, unused_recovery_codes(user_id))


def has_second_factor(user_id: int) -> bool:
    """True when the person has a confirmed authenticator app or a passkey."""
    return second_factor_status(user_id).enrolled


def unused_recovery_codes(user_id: int) -> int:
    """How many of the person's recovery codes are left."""
    count = db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return count or 0


def pending_totp_secret(user_id: int, keys: SecondFactorKeys, now: datetime) -> str:
    """The secret of the app being set up (the same one on every reload until confirmed)."""
    begin_write()
    record = db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user_id))
    if record is not None and record.confirmed_at is not None:
        db.session.rollback()
        raise Conflict(_("An authenticator app is already set up. Remove it first to set up another."))
    if record is None:
        record = TotpSecret(user_id=user_id, secret_encrypted=keys.encrypt(new_totp_secret()), created_at=now)
        db.session.add(record)
    secret = keys.decrypt(record.secret_encrypted)
    db.session.commit()
    return secret


def confirm_totp(
    user_id: int, code: str, keys: SecondFactorKeys, now: datetime, origin: str | None
) -> list[str] | None:
    """Confirm the app with a code it shows; the first factor also brings recovery codes (returned once)."""
    begin_write()
    record = db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user_id))
    if record is None or record.confirmed_at is not None:
        db.session.rollback()
        raise InvalidInput({"code": _("There is no authenticator app waiting to be confirmed. Start again.")})
    step = accepted_step(keys.decrypt(record.secret_encrypted), code, now, None)
    if step is None:
        db.session.rollback()
        raise InvalidInput({"code": _("That code does not match. Enter the six digits the app shows now.")})
    record.confirmed_at, record.last_used_step = now, step
    codes = None if unused_recovery_codes(user_id) else _replace_recovery_codes(user_id, keys, now)
    audit_second_factor("enrolled", db.session.get_one(User, user_id), origin, now, method="totp")
    db.session.commit()
    return codes


def regenerate_recovery_codes(user_id: int, keys: SecondFactorKeys, now: datetime, origin: str | None) -> list[str]:
    """Ten new recovery codes (returned once); the old ones stop working."""
    begin_write()
    if not second_factor_status(user_id).enrolled:
        db.session.rollback()
        raise Conflict(_("Set up an authenticator app or a passkey before recovery codes."))
    codes = _replace_recovery_codes(user_id, keys, now)
    audit_second_factor("recovery_codes_renewed", db.session.get_one(User, user_id), origin, now)
    db.session.commit()
    return codes


def remove_totp(user: User, now: datetime, origin: str | None) -> None:
    """Remove one's authenticator app; refused when it is the last factor of a role that needs one."""
    begin_write()
    status = second_factor_status(user.id)
    if not status.totp:
        db.session.rollback()
        raise Conflict(_("No authenticator app is set up."))
    if second_factor_required(user.role) and status.passkeys == 0:
        db.session.rollback()
        raise Conflict(_("Your role needs a second factor: add a passkey before you remove the app."))
    db.session.execute(delete(TotpSecret).where(TotpSecret.user_id == user.id))
    audit_second_factor("removed", user, origin, now, method="totp")
    db.session.commit()


def reset_second_factor(actor: Actor, account_id: int, reason: str, now: datetime, origin: str | None) -> User:
    """Remove every second factor of another person (their device is lost) and end their sessions."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": _("Say why the second factor is reset.")})
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInput({"reason": _("Keep the reason under %(count)d characters.", count=REASON_MAX_CHARS)})
    begin_write()
    account = db.session.get(User, account_id)
    if account is None or not may_reset_second_factor(actor, account_facts(account)):
        db.session.rollback()
        raise Forbidden()
    removed = sum(
        rows_changed(delete(model).where(model.user_id == account_id)) for model in (TotpSecret, Passkey, RecoveryCode)
    )
    if not removed:
        db.session.rollback()
        raise Conflict(_("This account has no second factor to reset."))
    ended = end_all_sessions(account_id, now)
    audit_second_factor("reset", account, origin, now, by=actor, reason=reason, sessions_ended=str(ended))
    db.session.commit()
    return account


def _replace_recovery_codes(user_id: int, keys: SecondFactorKeys, now: datetime) -> list[str]:
    # The caller holds the write transaction and commits.
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user_id, code_hash=keys.recovery_digest(normalised_recovery_code(code)), created_at=now)
        for code in codes
    )
    return codes
