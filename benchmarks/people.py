"""Rows for the pool's countries, departments, staff and interpreters, drawn from a seeded Random.

Pure: no database. `Person` keeps what the booking schedule needs to know about each interpreter.
Ids are given explicitly so that later rows can refer to them without reading anything back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.catalogue import (
    APPLICANT_LANGUAGES,
    BENCH_NOW,
    CASEWORKERS_PER_DEPARTMENT,
    COUNTRY_WEIGHTS,
    CURRENCIES,
    DAILY_CAPS_MINUTES,
    OFFICER_LANGUAGES,
    PROFICIENCY_WEIGHTS,
    RELAY_LANGUAGE,
    REST_GAPS_MINUTES,
    SHIFT_MINUTES,
    SPECIALISATION_CHANCE,
    SPECIALISATIONS,
    TEMPLATE_WEIGHTS,
    WEEK_TEMPLATES,
    ZONES,
)
from rris.demo.data import COUNTRIES, DEPARTMENTS, CountrySeed
from rris.enums import Employment, Gender, Role

Row = dict[str, Any]
CREATED = BENCH_NOW - timedelta(days=800)
TIME_OFF_CHANCE = 0.15


@dataclass(frozen=True)
class Office:
    """A department as bookings need it: ids, zone and who books from it."""

    department_id: int
    country_id: int
    country_code: str
    timezone: str
    caseworker_ids: tuple[int, ...]


@dataclass
class Person:
    """What the schedule needs about one interpreter."""

    interpreter_id: int
    user_id: int
    zone: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]  # (start, end) minutes per weekday, Monday first
    pairs: list[tuple[str, str]]  # (applicant side, officer side)
    accreditations: list[tuple[str, date, date]]  # (country code, from, to)
    rest_gap_minutes: int
    time_off: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass
class PeopleRows:
    """Every row of the people tables, in insertion order, and the facts for the schedule."""

    countries: list[Row] = field(default_factory=list)
    country_languages: list[Row] = field(default_factory=list)
    departments: list[Row] = field(default_factory=list)
    users: list[Row] = field(default_factory=list)
    profiles: list[Row] = field(default_factory=list)
    pairs: list[Row] = field(default_factory=list)
    accreditations: list[Row] = field(default_factory=list)
    specialisations: list[Row] = field(default_factory=list)
    windows: list[Row] = field(default_factory=list)
    time_off: list[Row] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    """One key of `weights`, drawn in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def country_row(country_id: int, country: CountrySeed) -> Row:
    """A `countries` row for one of the demo's countries."""
    return {
        "id": country_id,
        "code": country.code,
        "name": country.name,
        "authority": country.authority,
        "seat": country.seat,
        "timezone": country.timezone,
    }


def user_row(user_id: int, email: str, name: str, role: Role, password_hash: str, **fields: Any) -> Row:
    """A complete `users` row (bulk inserts need the same keys in every row)."""
    row: Row = {
        "id": user_id,
        "email": email,
        "name": name,
        "password_hash": password_hash,
        "role": role,
        "department_id": None,
        "country_id": None,
        "timezone": None,
        "locale": "en",
        "phone": None,
        "phone_verified_at": None,
        "sms_opt_in": False,
        "active": True,
        "created_at": CREATED,
        "password_changed_at": CREATED,
        "last_login_at": None,
    }
    row.update(fields)
    return row


def generate_people(rng: random.Random, interpreters: int, password_hash: str) -> PeopleRows:
    """Countries, a department each with its caseworkers, a coordinator, and `interpreters` interpreters."""
    rows = PeopleRows()
    first_department = {}
    for seed in DEPARTMENTS:
        first_department.setdefault(seed.country, seed)
    user_id = 1
    rows.users.append(
        user_row(user_id, "coordinator@bench.rris.example", "Bench Coordinator", Role.COORDINATOR, password_hash)
    )
    for country_id, country in enumerate(COUNTRIES, start=1):
        rows.countries.append(country_row(country_id, country))
        rows.country_languages += [{"country_id": country_id, "language_code": code} for code in country.languages]
        office = first_department[country.code]
        rows.departments.append(
            {
                "id": country_id,
                "country_id": country_id,
                "name": office.name,
                "city": office.city,
                "timezone": country.timezone,
                "email": office.email,
            }
        )
        caseworkers = []
        for number in range(1, CASEWORKERS_PER_DEPARTMENT + 1):
            user_id += 1
            email = f"caseworker{number}@{country.code.lower()}.bench.rris.example"
            name = f"Caseworker {number} ({country.code})"
            rows.users.append(user_row(user_id, email, name, Role.CASEWORKER, password_hash, department_id=country_id))
            caseworkers.append(user_id)
        rows.offices.append(Office(country_id, country_id, country.code, country.timezone, tuple(caseworkers)))
    for interpreter_id in range(1, interpreters + 1):
        user_id += 1
        _interpreter(rng, rows, interpreter_id, user_id, password_hash)
    return rows


def _interpreter(rng: random.Random, rows: PeopleRows, interpreter_id: int, user_id: int, password_hash: str) -> None:
    zone_name = weighted(rng, ZONES)
    email = f"interpreter{interpreter_id:05d}@pool.bench.rris.example"
    rows.users.append(
        user_row(
            user_id, email, f"Interpreter {interpreter_id:05d}", Role.INTERPRETER, password_hash, timezone=zone_name
        )
    )
    rest_gap = rng.choice(REST_GAPS_MINUTES)
    rows.profiles.append(
        {
            "id": interpreter_id,
            "user_id": user_id,
            "gender": rng.choice((Gender.FEMALE, Gender.MALE)),
            "timezone": zone_name,
            "employment": Employment.STAFF if rng.random() < 0.2 else Employment.FREELANCE,
            "daily_cap_minutes": rng.choice(DAILY_CAPS_MINUTES),
            "rest_gap_minutes": rest_gap,
            "hourly_rate": Decimal(rng.randint(2000, 6000)) / 100,
            "rate_currency": rng.choice(CURRENCIES),
            "active": rng.random() > 0.03,
            "notes": None,
            "created_at": CREATED,
        }
    )
    pairs = _pairs(rng)
    for applicant, officer in pairs:
        first, second = sorted((applicant, officer))
        proficiency = weighted(rng, PROFICIENCY_WEIGHTS)
        rows.pairs.append(
            {"interpreter_id": interpreter_id, "language_a": first, "language_b": second, "proficiency": proficiency}
        )
    accreditations = _accreditations(rng)
    code_to_id = {country["code"]: country["id"] for country in rows.countries}
    for code, valid_from, valid_to in accreditations:
        rows.accreditations.append(
            {
                "interpreter_id": interpreter_id,
                "country_id": code_to_id[code],
                "valid_from": valid_from,
                "valid_to": valid_to,
                "reference": f"{code}-ACC-{interpreter_id:05d}",
            }
        )
    rows.specialisations += [
        {"interpreter_id": interpreter_id, "specialisation": item, "trained_on": date(2024, 3, 1)}
        for item in SPECIALISATIONS
        if rng.random() < SPECIALISATION_CHANCE
    ]
    week = _week(rng)
    for weekday, spans in enumerate(week):
        rows.windows += [
            {"interpreter_id": interpreter_id, "weekday": weekday, "start_minute": start, "end_minute": end}
            for start, end in spans
        ]
    person = Person(interpreter_id, user_id, ZoneInfo(zone_name), week, pairs, accreditations, rest_gap)
    if rng.random() < TIME_OFF_CHANCE:
        for _ in range(rng.randint(1, 2)):
            first_day = BENCH_NOW.date() + timedelta(days=rng.randint(-365, 365))
            starts = datetime.combine(first_day, time(), tzinfo=person.zone).astimezone(UTC)
            ends = starts + timedelta(days=rng.randint(3, 21))
            person.time_off.append((starts, ends))
            rows.time_off.append(
                {"interpreter_id": interpreter_id, "starts_at": starts, "ends_at": ends, "reason": "Leave"}
            )
    rows.people.append(person)


def _pairs(rng: random.Random) -> list[tuple[str, str]]:
    """1-3 working pairs: the interpreter's language with English or a local language, sometimes a relay pair."""
    language = weighted(rng, APPLICANT_LANGUAGES)
    wanted = rng.choices((1, 2, 3), weights=(5, 4, 2))[0]
    pairs = [(language, RELAY_LANGUAGE if rng.random() < 0.7 else weighted(rng, OFFICER_LANGUAGES))]
    while len(pairs) < wanted:
        draw = rng.random()
        if draw < 0.6:
            pair = (language, weighted(rng, OFFICER_LANGUAGES))
        elif draw < 0.8:
            pair = (weighted(rng, APPLICANT_LANGUAGES), RELAY_LANGUAGE)
        else:
            pair = (RELAY_LANGUAGE, weighted(rng, OFFICER_LANGUAGES))
        if pair[0] != pair[1] and frozenset(pair) not in {frozenset(p) for p in pairs}:
            pairs.append(pair)
        elif rng.random() < 0.3:
            break
    return pairs


def _accreditations(rng: random.Random) -> list[tuple[str, date, date]]:
    """1-4 countries; most clearances cover today, some have expired, some start later."""
    countries: list[str] = []
    for _ in range(rng.randint(1, 4)):
        code = weighted(rng, COUNTRY_WEIGHTS)
        if code not in countries:
            countries.append(code)
    today = BENCH_NOW.date()
    periods = []
    for code in countries:
        valid_from = today - timedelta(days=rng.randint(-30, 900))
        valid_to = valid_from + timedelta(days=rng.randint(365, 1460))
        periods.append((code, valid_from, valid_to))
    return periods


def _week(rng: random.Random) -> tuple[tuple[tuple[int, int], ...], ...]:
    """A weekly pattern from the templates, shifted by up to an hour; merged spans per weekday."""
    template = rng.choices(WEEK_TEMPLATES, weights=TEMPLATE_WEIGHTS)[0]
    shift = rng.choice(SHIFT_MINUTES)
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for weekdays, start_hour, end_hour in template:
        start = max(0, start_hour * 60 + shift)
        end = min(24 * 60, end_hour * 60 + shift)
        for weekday in weekdays:
            days[weekday].append((start, end))
    return tuple(tuple(sorted(spans)) for spans in days)
