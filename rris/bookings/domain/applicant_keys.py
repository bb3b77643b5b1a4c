"""The regional applicant key: a keyed hash of an identifier the countries share.

An applicant moves between countries under a new case reference each time. When caseworkers
enter the same regional identifier (a registration number the countries share), RRIS links the
bookings through HMAC-SHA256 of the identifier under the pool's secret, and never keeps the
identifier itself. The identifier is normalised first, so "RS-2026 0042" and "rs20260042" are
one applicant. Several secrets may be known at once, each with a version, while the pool
rotates from one to the next (see the README's threat model).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

IDENTIFIER_MIN_CHARS = 5  # after normalising; shorter ones would join unrelated applicants
IDENTIFIER_MAX_CHARS = 64
RAW_IDENTIFIER_MAX_CHARS = 128  # as typed, separators included
KEY_DIGEST_CHARS = 64  # hex of SHA-256

# Spaces and these separators are typed differently from office to office; they never tell
# two applicants apart. Dashes of every width, the minus sign, dots, slashes and underscores.
_SEPARATORS = frozenset("-‐‑‒–—―−_./\\")


class IdentifierProblem(StrEnum):
    """Why an identifier cannot be used; never carries the identifier itself."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CHARACTERS = "characters"


class InvalidIdentifier(ValueError):
    """The identifier cannot be used; `problem` says why (the value is deliberately not kept)."""

    def __init__(self, problem: IdentifierProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def normalise_identifier(raw: str) -> str:
    """The identifier as compared: compatibility-normalised, case-folded, without spaces or separators."""
    if len(raw) > RAW_IDENTIFIER_MAX_CHARS:
        raise InvalidIdentifier(IdentifierProblem.TOO_LONG)
    folded = unicodedata.normalize("NFKC", raw).casefold()
    kept = "".join(char for char in folded if not char.isspace() and char not in _SEPARATORS)
    if not kept.isalnum():
        raise InvalidIdentifier(IdentifierProblem.CHARACTERS if kept else IdentifierProblem.TOO_SHORT)
    if len(kept) < IDENTIFIER_MIN_CHARS:
        raise InvalidIdentifier(IdentifierProblem.TOO_SHORT)
    if len(kept) > IDENTIFIER_MAX_CHARS:
        raise InvalidIdentifier(IdentifierProblem.TOO_LONG)
    return kept


def keyed_digest(normalised: str, secret: str) -> str:
    """HMAC-SHA256 of a normalised identifier under `secret`, as 64 hex characters."""
    return hmac.new(secret.encode("utf-8"), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ApplicantKey:
    """A keyed hash of one identifier and the version of the secret that made it."""

    version: int
    digest: str


@dataclass(frozen=True)
class KeyRing:
    """The pool's secrets by version: the current one keys new records, retired ones still match."""

    current_version: int
    secrets: dict[int, str] = field(repr=False)

    def __post_init__(self) -> None:
        if self.current_version not in self.secrets:
            raise ValueError("the current version needs a secret")

    def keys_for(self, raw: str) -> tuple[ApplicantKey, ...]:
        """The identifier's key under every known secret, the current one first."""
        normalised = normalise_identifier(raw)
        versions = [self.current_version] + sorted(v for v in self.secrets if v != self.current_version)
        return tuple(ApplicantKey(version, keyed_digest(normalised, self.secrets[version])) for version in versions)
