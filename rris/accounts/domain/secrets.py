"""Bearer secrets (session and API tokens): how they are made and how they are stored."""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "rris_"  # noqa: S105 (a label, not a secret)
API_TOKEN_SHOWN_CHARS = 12


def new_session_secret() -> str:
    """A random, URL-safe secret that names one signed-in browser."""
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    """A personal API token: recognisable prefix plus 256 random bits."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored instead of the secret itself (SHA-256, hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()
