"""What makes a password acceptable (length first, as NIST SP 800-63B advises)."""

from __future__ import annotations

from enum import StrEnum

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class PasswordProblem(StrEnum):
    """Why a password is refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_EMAIL = "contains_email"
    ONE_CHARACTER = "one_character"


def password_problems(password: str, email: str = "") -> list[PasswordProblem]:
    """Everything wrong with `password` for the account `email`; empty when it is fine."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append(PasswordProblem.CONTAINS_EMAIL)
    if password and len(set(password)) == 1:
        problems.append(PasswordProblem.ONE_CHARACTER)
    return problems
