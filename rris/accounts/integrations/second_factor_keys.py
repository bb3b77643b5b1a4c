"""Keys of the second factor: authenticator secrets encrypted at rest, recovery codes peppered."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class SecondFactorKeys:
    """Encrypts TOTP secrets (Fernet: AES-128-CBC + HMAC) and digests recovery codes, from one setting."""

    def __init__(self, key: str) -> None:
        # Two keys derived from the one setting, each for one job.
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(key, b"rris totp secret")))
        self._pepper = _derive(key, b"rris recovery code")

    def encrypt(self, secret: str) -> str:
        """The secret as stored."""
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, stored: str) -> str:
        """The secret back; ValueError when it was encrypted under another key."""
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken as error:
            raise ValueError("the secret was encrypted with another RRIS_SECOND_FACTOR_KEY") from error

    def recovery_digest(self, normalised_code: str) -> str:
        """HMAC-SHA-256 of a recovery code: a stolen table alone cannot be checked offline."""
        return hmac.new(self._pepper, normalised_code.encode(), hashlib.sha256).hexdigest()


def _derive(key: str, purpose: bytes) -> bytes:
    return hmac.new(key.encode(), purpose, hashlib.sha256).digest()
