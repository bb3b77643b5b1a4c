"""Errors the core raises and the entry points translate (to 404, 403, 409, 422, 429...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class DomainError(Exception):
    """Base of the errors a person can be told about."""


@dataclass
class InvalidInput(DomainError):
    """Input rejected; `errors` maps each offending field to what is wrong with it."""

    errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.errors.items()))


class Conflict(DomainError):
    """The request lost a race or contradicts the current state (HTTP 409)."""


class Forbidden(DomainError):
    """The actor's role does not allow this."""


@dataclass
class TooManyAttempts(DomainError):
    """Throttled; trying again is allowed from `retry_at`."""

    retry_at: datetime

    def __post_init__(self) -> None:
        super().__init__(f"too many attempts, retry at {self.retry_at.isoformat()}")
