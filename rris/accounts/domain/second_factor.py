"""Second-factor rules: authenticator-app (TOTP) codes and one-time recovery codes."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime, timedelta

import pyotp

TOTP_DIGITS = 6
TOTP_STEP_SECONDS = 30
# A code from the step before or after is accepted too: phones' clocks drift.
TOTP_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_CHARS = 10
# No 0/o, 1/l/i: a code read off paper is typed back without guessing.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TOTP_CODE = re.compile(r"^\d{6}$")
# How long after the password the second step may be taken.
PENDING_SIGN_IN = timedelta(minutes=5)
ISSUER = "RRIS"


def new_totp_secret() -> str:
    """A fresh random base32 secret (160 bits) for an authenticator app."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).provisioning_uri(
        name=account_name, issuer_name=ISSUER
    )


def totp_step(now: datetime) -> int:
    """The TOTP time step `now` falls in."""
    return int(now.timestamp()) // TOTP_STEP_SECONDS


def totp_code(secret: str, step: int) -> str:
    """The code an authenticator app shows during `step`."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).generate_otp(step)


def normalised_totp_code(text: str) -> str:
    """The code as typed, without spaces (apps show "123 456")."""
    return re.sub(r"\s", "", text or "")


def looks_like_totp_code(text: str) -> bool:
    """True for six digits (spaces allowed); anything else is read as a recovery code."""
    return bool(_TOTP_CODE.match(normalised_totp_code(text)))


def accepted_step(secret: str, code: str, now: datetime, last_used_step: int | None) -> int | None:
    """The step `code` belongs to when it is valid now and newer than the last one used, else None.

    A code is accepted once: a step at or before `last_used_step` is refused, so a code seen
    over someone's shoulder cannot be replayed within its window.
    """
    typed = normalised_totp_code(code)
    if not _TOTP_CODE.match(typed):
        return None
    current = totp_step(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp_code(secret, step), typed):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten fresh one-time recovery codes, written "abcde-fghjk"."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_CHARS))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalised_recovery_code(text: str) -> str:
    """A recovery code as stored: lower case, without spaces or dashes."""
    return re.sub(r"[\s-]", "", (text or "").lower())
