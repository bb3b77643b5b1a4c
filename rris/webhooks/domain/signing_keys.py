"""Endpoint secrets in the `whsec_<base64>` form of the Standard Webhooks specification."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes
SECRET_MAX_CHARS = 100


def new_secret() -> str:
    """A fresh random endpoint secret."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signing_secrets(current: str, previous: str | None, previous_until: datetime | None, now: datetime) -> list[str]:
    """The secrets a message is signed with at `now`: the current one, and the previous one while
    its overlap after a rotation lasts (the receiver may not have switched yet)."""
    if previous and previous_until is not None and now < previous_until:
        return [current, previous]
    return [current]
