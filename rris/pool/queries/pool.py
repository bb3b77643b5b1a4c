"""Read-side questions about the pool: who covers which language for which country."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from rris.accounts.models.accounts import User
from rris.extensions import db
from rris.pool.models.interpreters import Accreditation, InterpreterProfile, LanguagePair
from rris.pool.models.languages import Dialect

ACCREDITATION_WARNING_DAYS = 30


@dataclass(frozen=True)
class LanguageCoverage:
    """How many active interpreters work from a language (overall and cleared for one country)."""

    language_code: str
    interpreters: int
    accredited: int


def coverage_by_language(languages: list[str], country_id: int | None, day: date) -> list[LanguageCoverage]:
    """For each language, active interpreters with a pair in it, and those accredited for the country on `day`."""
    rows = []
    for code in languages:
        speakers = (
            select(InterpreterProfile.id)
            .join(LanguagePair)
            .where(
                InterpreterProfile.active.is_(True),
                or_(LanguagePair.language_a == code, LanguagePair.language_b == code),
            )
            .distinct()
        )
        total = db.session.scalar(select(func.count()).select_from(speakers.subquery())) or 0
        accredited = 0
        if country_id is not None:
            cleared = speakers.join(Accreditation, Accreditation.interpreter_id == InterpreterProfile.id).where(
                Accreditation.country_id == country_id, Accreditation.valid_from <= day, Accreditation.valid_to >= day
            )
            accredited = db.session.scalar(select(func.count()).select_from(cleared.subquery())) or 0
        rows.append(LanguageCoverage(code, total, accredited))
    return rows


def expiring_accreditations(today: date, within_days: int = ACCREDITATION_WARNING_DAYS) -> list[Accreditation]:
    """Accreditations of active interpreters that end within `within_days` of `today`, each with its
    interpreter (and their account, for the name) and country loaded with it."""
    return list(
        db.session.scalars(
            select(Accreditation)
            .join(InterpreterProfile)
            .where(
                InterpreterProfile.active.is_(True),
                Accreditation.valid_to >= today,
                Accreditation.valid_to <= today + timedelta(days=within_days),
            )
            .options(
                selectinload(Accreditation.interpreter).joinedload(InterpreterProfile.user),
                selectinload(Accreditation.country),
            )
            .order_by(Accreditation.valid_to)
        )
    )


def pool_size() -> tuple[int, int]:
    """(active, inactive) interpreter counts."""
    active = db.session.scalar(select(func.count()).where(InterpreterProfile.active.is_(True))) or 0
    inactive = db.session.scalar(select(func.count()).where(InterpreterProfile.active.is_(False))) or 0
    return active, inactive


def languages_in_pool() -> list[str]:
    """Codes of every language some interpreter works in, for the booking form's lists."""
    first = select(LanguagePair.language_a)
    second = select(LanguagePair.language_b)
    return sorted(set(db.session.scalars(first.union(second))))


def dialects_by_language(codes: list[str]) -> dict[str, list[str]]:
    """Dialect names known for each language code."""
    found: dict[str, list[str]] = {}
    for dialect in db.session.scalars(select(Dialect).where(Dialect.language_code.in_(codes)).order_by(Dialect.name)):
        found.setdefault(dialect.language_code, []).append(dialect.name)
    return found


def interpreter_names() -> dict[int, str]:
    """Every interpreter's name by profile id, in the order of the names (ids among namesakes)."""
    rows = db.session.execute(
        select(InterpreterProfile.id, User.name)
        .join(User, User.id == InterpreterProfile.user_id)
        .order_by(User.name, InterpreterProfile.id)
    )
    return {interpreter_id: name for interpreter_id, name in rows}
