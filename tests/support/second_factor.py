"""The second step of signing in, as the tests take it: the next unused code of a known app key."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from rris.accounts.domain.second_factor import TOTP_DRIFT_STEPS, totp_code, totp_step
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import TotpSecret
from rris.extensions import db

SECOND_STEP_PATH = "/login/second-factor"


def next_totp_code(app: Flask, email: str) -> str:
    """The code `email`'s app shows that the portal accepts now: the earliest step in the
    drift window after the last one used (a frozen clock signs the same person in more than once)."""
    with app.app_context():
        record = db.session.scalar(
            select(TotpSecret).join(User, User.id == TotpSecret.user_id).where(User.email == email)
        )
        assert record is not None, f"{email} has no authenticator app"
        secret = SecondFactorKeys(app.extensions["rris.settings"].second_factor_key).decrypt(record.secret_encrypted)
        now_step = totp_step(app.extensions["rris.clock"].now())
        step = now_step - TOTP_DRIFT_STEPS
        if record.last_used_step is not None:
            step = max(step, record.last_used_step + 1)
        assert step <= now_step + TOTP_DRIFT_STEPS, f"{email} used every code of this instant; move the clock"
        return totp_code(secret, step)
