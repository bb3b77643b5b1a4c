"""Test data builders: real rows through the real models, with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import count

from sqlalchemy import select

from rris.access.domain.permissions import second_factor_required
from rris.accounts.integrations.passwords import hash_password
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import TotpSecret
from rris.bookings.models.bookings import Assignment, Booking
from rris.context import current_settings
from rris.enums import BookingState, Gender, Modality, Proficiency, Role, SessionKind, Specialisation
from rris.extensions import db
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import (
    Accreditation,
    AvailabilityWindow,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
)

PASSWORD = "correct horse battery staple"
# The authenticator-app key of every factory user whose role needs a second factor.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
_sequence = count(1)
_CREATED = datetime(2025, 6, 1, tzinfo=UTC)

COUNTRIES = {
    "RS": ("Serbia", "Asylum Office", "Belgrade", "Europe/Belgrade"),
    "AL": ("Albania", "Directorate for Asylum", "Tirana", "Europe/Tirane"),
    "XK": ("Kosovo", "Department of Citizenship, Asylum and Migration", "Pristina", "Europe/Belgrade"),
    "TR": ("Turkey", "Presidency of Migration Management", "Ankara", "Europe/Istanbul"),
    "MK": ("North Macedonia", "Sector for Asylum", "Skopje", "Europe/Skopje"),
    "ME": ("Montenegro", "Directorate for Asylum", "Podgorica", "Europe/Podgorica"),
}


def country(code: str = "RS") -> Country:
    existing = db.session.scalar(select(Country).where(Country.code == code))
    if existing is not None:
        return existing
    name, authority, seat, zone = COUNTRIES[code]
    record = Country(code=code, name=name, authority=authority, seat=seat, timezone=zone)
    db.session.add(record)
    db.session.flush()
    return record


def department(country_code: str = "RS", name: str | None = None) -> Department:
    home = country(country_code)
    record = Department(
        country=home, name=name or f"{home.seat} office {next(_sequence)}", city=home.seat, timezone=home.timezone
    )
    db.session.add(record)
    db.session.flush()
    return record


@cache
def password_hash() -> str:
    """PASSWORD hashed once per process, at first need: after the test run has made argon2 cheap."""
    return hash_password(PASSWORD)


def user(
    role: Role = Role.CASEWORKER, email: str | None = None, *, second_factor: bool | None = None, **fields: object
) -> User:
    """An account; one whose role needs a second factor has an app with TOTP_SECRET, unless
    `second_factor` says otherwise (False: none; True: one whatever the role)."""
    number = next(_sequence)
    values: dict[str, object] = {
        "email": email or f"{role.value}.{number}@test.example",
        "name": fields.pop("name", f"Test {role.value.replace('_', ' ').title()} {number}"),
        "password_hash": password_hash(),
        "role": role,
        "created_at": _CREATED,
        "password_changed_at": _CREATED,
    }
    if role is Role.CASEWORKER and "department" not in fields and "department_id" not in fields:
        values["department"] = department()
    if role is Role.FOCAL_POINT and "country" not in fields and "country_id" not in fields:
        values["country"] = country()
    values.update(fields)
    record = User(**values)
    db.session.add(record)
    db.session.flush()
    if second_factor if second_factor is not None else second_factor_required(role):
        authenticator_app(record)
    return record


def authenticator_app(account: User, secret: str = TOTP_SECRET) -> TotpSecret:
    """A confirmed authenticator app with `secret` for `account`."""
    record = TotpSecret(
        user_id=account.id,
        secret_encrypted=SecondFactorKeys(current_settings().second_factor_key).encrypt(secret),
        created_at=_CREATED,
        confirmed_at=_CREATED,
    )
    db.session.add(record)
    db.session.flush()
    return record


def caseworker(country_code: str = "RS", **fields: object) -> User:
    return user(Role.CASEWORKER, department=department(country_code), **fields)


def interpreter(
    zone: str = "Asia/Kabul",
    gender: Gender = Gender.FEMALE,
    pairs: tuple[tuple[str, str], ...] = (("pus", "eng"),),
    accredited_for: tuple[str, ...] = ("RS",),
    on: date = date(2026, 1, 12),
    **fields: object,
) -> InterpreterProfile:
    account = user(Role.INTERPRETER, **fields)
    profile = InterpreterProfile(
        user=account,
        gender=gender,
        timezone=zone,
        hourly_rate=Decimal("35.00"),
        rate_currency="EUR",
        created_at=_CREATED,
    )
    db.session.add(profile)
    profile.language_pairs = [LanguagePair.between(a, b, Proficiency.C1) for a, b in pairs]
    profile.accreditations = [
        Accreditation(country=country(code), valid_from=on - timedelta(days=100), valid_to=on + timedelta(days=265))
        for code in accredited_for
    ]
    profile.availability = [
        AvailabilityWindow(weekday=day, start_minute=9 * 60, end_minute=17 * 60) for day in range(5)
    ]
    profile.specialisations = [InterpreterSpecialisation(specialisation=Specialisation.TRAUMA)]
    db.session.flush()
    return profile


def booking(
    department: Department | None = None,
    starts_at: datetime = datetime(2026, 1, 13, 8, 0, tzinfo=UTC),
    minutes: int = 60,
    applicant_language: str = "pus",
    officer_language: str = "srp",
    state: BookingState = BookingState.REQUESTED,
    case_reference: str | None = None,
    **fields: object,
) -> Booking:
    home = department or globals()["department"]("RS")
    creator = fields.pop("created_by", None) or user(Role.CASEWORKER, department=home)
    record = Booking(
        code=f"T{next(_sequence):06d}",
        department=home,
        country_id=home.country_id,
        created_by=creator,
        applicant_language=applicant_language,
        officer_language=officer_language,
        session_kind=fields.pop("session_kind", SessionKind.ASYLUM_INTERVIEW),
        modality=fields.pop("modality", Modality.VIDEO),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        case_reference=case_reference or f"CASE-{next(_sequence)}",
        state=state,
        created_at=_CREATED,
        updated_at=_CREATED,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record


def held(booking: Booking, interpreter: InterpreterProfile, leg: int = 1, released: bool = False) -> Assignment:
    """`interpreter` holds `leg` of `booking` for its booked span (or held it, when `released`)."""
    record = Assignment(
        booking=booking,
        leg=leg,
        interpreter_id=interpreter.id,
        busy_from=booking.starts_at,
        busy_until=booking.ends_at,
        assigned_at=booking.created_at,
        released_at=booking.created_at if released else None,
    )
    db.session.add(record)
    return record
