"""The whole pool as rows of the pool file, read as plain columns.

The file lists every interpreter with every pair, dialect, clearance and specialisation. Loaded
as ORM objects (some 15,000 for a pool of 2,000) that took most of a second and a half; read as
plain columns, one statement per kind of fact, it is a few thousand tuples filed by interpreter.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.extensions import db
from rris.pool.domain.pool_csv import AccreditationRow, PairRow, PoolRow, SpecialisationRow, normalised
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import (
    Accreditation,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    interpreter_dialects,
)
from rris.pool.models.languages import Dialect


def pool_file_rows() -> list[PoolRow]:
    """Every interpreter, active or not, as a row of the pool file, sorted by e-mail."""
    pairs: dict[int, list[PairRow]] = defaultdict(list)
    for who, first, second, proficiency in db.session.execute(
        select(LanguagePair.interpreter_id, LanguagePair.language_a, LanguagePair.language_b, LanguagePair.proficiency)
    ):
        pairs[who].append(PairRow(first, second, proficiency))
    dialects: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for who, code, name in db.session.execute(
        select(interpreter_dialects.c.interpreter_id, Dialect.language_code, Dialect.name).join(
            Dialect, Dialect.id == interpreter_dialects.c.dialect_id
        )
    ):
        dialects[who].append((code, name))
    clearances: dict[int, list[AccreditationRow]] = defaultdict(list)
    for who, country, valid_to, valid_from in db.session.execute(
        select(Accreditation.interpreter_id, Country.code, Accreditation.valid_to, Accreditation.valid_from).join(
            Country, Country.id == Accreditation.country_id
        )
    ):
        clearances[who].append(AccreditationRow(country, valid_to, valid_from))
    trained: dict[int, list[SpecialisationRow]] = defaultdict(list)
    for who, specialisation, trained_on in db.session.execute(
        select(
            InterpreterSpecialisation.interpreter_id,
            InterpreterSpecialisation.specialisation,
            InterpreterSpecialisation.trained_on,
        )
    ):
        trained[who].append(SpecialisationRow(specialisation, trained_on))
    profiles = db.session.execute(
        select(
            InterpreterProfile.id,
            User.email,
            User.name,
            InterpreterProfile.gender,
            InterpreterProfile.timezone,
            InterpreterProfile.employment,
            InterpreterProfile.daily_cap_minutes,
            InterpreterProfile.rest_gap_minutes,
            InterpreterProfile.hourly_rate,
            InterpreterProfile.rate_currency,
            InterpreterProfile.active,
        )
        .join(User, User.id == InterpreterProfile.user_id)
        .order_by(User.email)
    )
    return [
        normalised(
            PoolRow(
                email=email,
                name=name,
                gender=gender,
                timezone=timezone,
                employment=employment,
                language_pairs=tuple(pairs[who]),
                dialects=tuple(dialects[who]),
                accreditations=tuple(clearances[who]),
                specialisations=tuple(trained[who]),
                daily_cap_minutes=cap,
                rest_gap_minutes=gap,
                hourly_rate=rate,
                currency=currency,
                active=active,
            )
        )
        for who, email, name, gender, timezone, employment, cap, gap, rate, currency, active in profiles
    ]
