"""Checking what a caseworker (or a case system) asks for, before anything is written.

Every problem is reported against the field it concerns, all at once.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from rris.access.domain.permissions import Actor, Capability, can
from rris.access.queries.scoping import department_filter
from rris.bookings.domain.applicant_keys import ApplicantKey, KeyRing
from rris.bookings.domain.session_kinds import DEFAULT_DURATION_MINUTES, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from rris.bookings.models.bookings import CASE_REFERENCE_MAX_CHARS, NOTES_MAX_CHARS
from rris.bookings.services.applicant_keys import keys_for_identifier
from rris.common.domain.errors import InvalidInput
from rris.enums import Gender, GenderRule, Modality, SessionKind, Specialisation
from rris.extensions import db
from rris.matching.domain.snapshots import Interval
from rris.pool.models.geography import Department
from rris.pool.models.languages import Dialect, Language
from rris.timeutil import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc, zone

LOCAL_TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")

_Choice = TypeVar("_Choice", bound=StrEnum)


@dataclass(frozen=True)
class BookingInput:
    """A booking request as typed in or sent: text and simple values, not yet trusted."""

    applicant_language: str = ""
    officer_language: str = ""
    session_kind: str = ""
    start_local: str = ""
    duration_minutes: int | None = None
    modality: str = Modality.VIDEO.value
    case_reference: str = ""
    department_id: int | None = None
    dialect: str | None = None
    notes: str | None = None
    gender: str | None = None
    gender_rule: str = GenderRule.NONE.value
    specialisations: tuple[str, ...] = ()
    continuity: bool = False
    start_occurrence: int | None = None  # 0 or 1, for a wall-clock time the October change repeats
    # The applicant's regional identifier, in the clear: keyed in validation, then dropped.
    # Kept out of repr so no log line or traceback can print it.
    applicant_identifier: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ValidBooking:
    """A request that passed every check; times are UTC instants."""

    department: Department
    applicant_language: str
    officer_language: str
    session_kind: SessionKind
    interval: Interval
    modality: Modality
    case_reference: str
    dialect: str | None
    notes: str | None
    gender: Gender | None
    gender_rule: GenderRule
    specialisations: frozenset[Specialisation] = field(default_factory=frozenset)
    continuity: bool = False
    applicant_keys: tuple[ApplicantKey, ...] = ()  # the regional key, current secret first


def validate_booking(raw: BookingInput, actor: Actor, now: datetime, keys: KeyRing) -> ValidBooking:
    """The checked request, or InvalidInput naming every bad field; `keys` keys the applicant's identifier."""
    errors: dict[str, str] = {}
    department = _department(raw.department_id, actor, errors)
    applicant = _language(raw.applicant_language, "applicant_language", errors)
    officer = _language(raw.officer_language, "officer_language", errors)
    if applicant and officer and applicant == officer:
        errors["officer_language"] = _("The officer's language must differ from the applicant's.")
    kind = _choice(SessionKind, raw.session_kind, "session_kind", errors)
    modality = _choice(Modality, raw.modality, "modality", errors)
    duration = (
        raw.duration_minutes
        if raw.duration_minutes is not None
        else (DEFAULT_DURATION_MINUTES.get(kind, 0) if kind is not None else 0)
    )
    if not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = _(
            "A session lasts from %(low)d minutes to %(high)d hours.",
            low=MIN_DURATION_MINUTES,
            high=MAX_DURATION_MINUTES // 60,
        )
    start = _start(raw, department, now, errors)
    reference = (raw.case_reference or "").strip()
    if not reference:
        errors["case_reference"] = _("Enter your department's case reference (never the applicant's name).")
    elif len(reference) > CASE_REFERENCE_MAX_CHARS:
        errors["case_reference"] = ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", CASE_REFERENCE_MAX_CHARS
        )
    notes = (raw.notes or "").strip() or None
    if notes and len(notes) > NOTES_MAX_CHARS:
        errors["notes"] = ngettext(
            "Notes to the interpreter take at most %(num)d character; these have %(length)d. Shorten them.",
            "Notes to the interpreter take at most %(num)d characters; these have %(length)d. Shorten them.",
            NOTES_MAX_CHARS,
            length=len(notes),
        )
    dialect = (raw.dialect or "").strip() or None
    if dialect and applicant and not _dialect_exists(applicant, dialect):
        errors["dialect"] = _("Choose a dialect of the applicant's language from the list.")
    gender_rule = _choice(GenderRule, raw.gender_rule or GenderRule.NONE.value, "gender_rule", errors)
    gender = _choice(Gender, raw.gender, "gender", errors) if raw.gender else None
    if gender_rule not in (None, GenderRule.NONE) and gender is None:
        errors["gender"] = _("Say which gender is required or preferred.")
    specialisations = frozenset(
        item
        for item in (_choice(Specialisation, value, "specialisations", errors) for value in raw.specialisations)
        if item
    )
    applicant_keys = keys_for_identifier(raw.applicant_identifier, keys, errors)
    if errors:
        raise InvalidInput(errors)
    assert department and applicant and officer and kind and modality and start and gender_rule
    return ValidBooking(
        department=department,
        applicant_language=applicant,
        officer_language=officer,
        session_kind=kind,
        interval=Interval(start, start + timedelta(minutes=duration)),
        modality=modality,
        case_reference=reference,
        dialect=dialect,
        notes=notes,
        gender=gender if gender_rule is not GenderRule.NONE else None,
        gender_rule=gender_rule,
        specialisations=specialisations,
        continuity=raw.continuity,
        applicant_keys=applicant_keys,
    )


def _department(department_id: int | None, actor: Actor, errors: dict[str, str]) -> Department | None:
    if not can(actor, Capability.BOOK_INTERPRETERS):
        errors["department_id"] = _("Your role does not book interpreters.")
        return None
    wanted = department_id if department_id is not None else actor.department_id
    if wanted is None:
        errors["department_id"] = _("Choose the department the session is for.")
        return None
    department = db.session.scalar(select(Department).where(Department.id == wanted, department_filter(actor)))
    if department is None:
        errors["department_id"] = _("Choose one of your departments.")
    return department


def _language(code: str, name: str, errors: dict[str, str]) -> str | None:
    code = (code or "").strip().lower()
    if not code:
        errors[name] = _("Choose a language.")
        return None
    if db.session.get(Language, code) is None:
        errors[name] = _("%(code)s is not an ISO 639-3 language code.", code=code)
        return None
    return code


def _choice(enum_class: type[_Choice], value: str | None, name: str, errors: dict[str, str]) -> _Choice | None:
    if value is not None:
        with suppress(ValueError):
            return enum_class(value)
    allowed = ", ".join(member.value for member in enum_class)
    errors[name] = _("Choose one of: %(allowed)s.", allowed=allowed)
    return None


def _dialect_exists(language: str, name: str) -> bool:
    found = db.session.scalar(select(Dialect.id).where(Dialect.language_code == language, Dialect.name == name))
    return found is not None


def repeated_hour_choices(local: datetime, zone_name: str) -> tuple[str, str]:
    """The two readings of a wall-clock time the autumn change repeats, in words: the first
    (still summer time) and the second (winter time again), with the zone's abbreviations."""
    tz = zone(zone_name)
    summer, winter = (local.replace(tzinfo=tz, fold=fold).tzname() for fold in (0, 1))
    return (
        _("the first %(clock)s (summer time, %(abbreviation)s)", clock=f"{local:%H:%M}", abbreviation=summer),
        _("the second %(clock)s (winter time, %(abbreviation)s)", clock=f"{local:%H:%M}", abbreviation=winter),
    )


def _start(raw: BookingInput, department: Department | None, now: datetime, errors: dict[str, str]) -> datetime | None:
    text = (raw.start_local or "").strip()
    local = None
    for pattern in LOCAL_TIME_FORMATS:
        try:
            local = datetime.strptime(text, pattern)  # noqa: DTZ007 (a wall-clock time, zoned below)
            break
        except ValueError:
            continue
    if local is None:
        errors["start_local"] = _("Give the start as date and time, like 2026-03-02T09:00.")
        return None
    if department is None:
        return None
    try:
        start = local_to_utc(local, department.timezone, raw.start_occurrence)
    except NonexistentLocalTime:
        errors["start_local"] = _(
            "%(time)s does not exist in %(zone)s: the clocks skip it.", time=text, zone=department.timezone
        )
        return None
    except AmbiguousLocalTime:
        first, second = repeated_hour_choices(local, department.timezone)
        errors["start_occurrence"] = _(
            "The clocks go back that night in %(zone)s, so %(clock)s happens twice: %(first)s or %(second)s?",
            zone=department.timezone,
            clock=f"{local:%H:%M}",
            first=first,
            second=second,
        )
        return None
    if start <= now:
        errors["start_local"] = _("The start lies in the past.")
        return None
    return start
