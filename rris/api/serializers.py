"""JSON shapes of the API's resources. Instants are ISO 8601 in UTC; zones are IANA names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rris.accounts.models.accounts import User
from rris.common.services.wording import region_label
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import Accreditation, InterpreterProfile
from rris.pool.models.languages import Language


def instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def country(record: Country) -> dict[str, Any]:
    name, footnote = region_label(record.code)
    return {
        "id": record.id,
        "code": record.code,
        "name": name,
        "authority": record.authority,
        "timezone": record.timezone,
        "footnote": footnote,
    }


def department(record: Department) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "city": record.city,
        "timezone": record.timezone,
        "country": country(record.country),
    }


def me(record: User) -> dict[str, Any]:
    return {
        "id": record.id,
        "email": record.email,
        "name": record.name,
        "role": record.role.value,
        "timezone": record.zone_name,
        "department": department(record.department) if record.department else None,
        "country": country(record.country) if record.country else None,
        "interpreter_id": record.interpreter_profile.id if record.interpreter_profile else None,
    }


def accreditation(record: Accreditation, today: date) -> dict[str, Any]:
    return {
        "country": record.country.code,
        "valid_from": day(record.valid_from),
        "valid_to": day(record.valid_to),
        "valid_today": record.is_valid_on(today),
    }


def interpreter(record: InterpreterProfile, today: date) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "gender": record.gender.value,
        "timezone": record.timezone,
        "active": record.active,
        "employment": record.employment.value,
        "daily_cap_minutes": record.daily_cap_minutes,
        "rest_gap_minutes": record.rest_gap_minutes,
        "hourly_rate": {"amount": str(record.hourly_rate), "currency": record.rate_currency},
        "language_pairs": [
            {"languages": [pair.language_a, pair.language_b], "proficiency": pair.proficiency.value}
            for pair in record.language_pairs
        ],
        "dialects": [{"language": dialect.language_code, "name": dialect.name} for dialect in record.dialects],
        "specialisations": sorted(item.specialisation.value for item in record.specialisations),
        "accreditations": [accreditation(item, today) for item in record.accreditations],
        "availability": [
            {"weekday": window.day.value, "start_minute": window.start_minute, "end_minute": window.end_minute}
            for window in record.availability
        ],
    }


def language(record: Language) -> dict[str, Any]:
    return {"code": record.code, "name": record.name, "alpha_2": record.alpha_2, "scope": record.scope}
