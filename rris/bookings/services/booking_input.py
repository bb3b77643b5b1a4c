"""Checking a booking request against what its shape cannot know, before anything is written:
languages RRIS has, the caller's departments, a start in the future that exists in the
department's zone, a dialect of the language, the applicant's regional key.

The request arrives typed (`rris.bookings.services.booking_requests.BookingRequest`); every
problem is reported against the field it concerns, all at once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from rris.access.domain.permissions import Actor, Capability, can
from rris.access.queries.scoping import department_filter
from rris.bookings.domain.applicant_keys import ApplicantKey, KeyRing
from rris.bookings.domain.session_kinds import DEFAULT_DURATION_MINUTES
from rris.bookings.services.applicant_keys import keys_for_identifier
from rris.bookings.services.booking_requests import BookingRequest
from rris.common.domain.errors import InvalidInput
from rris.enums import Gender, GenderRule, Modality, SessionKind, Specialisation
from rris.extensions import db
from rris.matching.domain.snapshots import Interval
from rris.pool.models.geography import Department
from rris.pool.models.languages import Dialect, Language
from rris.timeutil import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc, zone


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


def validate_booking(request: BookingRequest, actor: Actor, now: datetime, keys: KeyRing) -> ValidBooking:
    """The checked request, or InvalidInput naming every field its shape could not judge alone;
    `keys` keys the applicant's identifier."""
    errors: dict[str, str] = {}
    department = booking_department(request.department_id, actor, errors)
    known = languages_among(request.applicant_language, request.officer_language)
    applicant = known_language(request.applicant_language, "applicant_language", errors, known)
    officer = known_language(request.officer_language, "officer_language", errors, known)
    if applicant and officer and applicant == officer:
        errors["officer_language"] = _("The officer's language must differ from the applicant's.")
    duration = request.duration_minutes
    if duration is None:
        duration = DEFAULT_DURATION_MINUTES[request.session_kind]
    start = _start(request, department, now, errors)
    dialect = request.dialect or None
    if dialect and applicant and not dialect_exists(applicant, dialect):
        errors["dialect"] = _("Choose a dialect of the applicant's language from the list.")
    if request.gender_rule is not GenderRule.NONE and request.gender is None:
        errors["gender"] = _("Say which gender is required or preferred.")
    applicant_keys = keys_for_identifier(request.applicant_identifier, keys, errors)
    if errors:
        raise InvalidInput(errors)
    assert department and applicant and officer and start
    return ValidBooking(
        department=department,
        applicant_language=applicant,
        officer_language=officer,
        session_kind=request.session_kind,
        interval=Interval(start, start + timedelta(minutes=duration)),
        modality=request.modality,
        case_reference=request.case_reference,
        dialect=dialect,
        notes=request.notes or None,
        gender=request.gender if request.gender_rule is not GenderRule.NONE else None,
        gender_rule=request.gender_rule,
        specialisations=frozenset(request.specialisations),
        continuity=request.continuity,
        applicant_keys=applicant_keys,
    )


def booking_department(department_id: int | None, actor: Actor, errors: dict[str, str]) -> Department | None:
    """The department a session is booked for (the actor's own by default), or None with the error noted."""
    if not can(actor, Capability.BOOK_INTERPRETERS):
        errors["department_id"] = _("Your role does not book interpreters.")
        return None
    wanted = department_id if department_id is not None else actor.department_id
    if wanted is None:
        errors["department_id"] = _("Choose the department the session is for.")
        return None
    # Its country comes with it: the search reads its zone.
    found = select(Department).where(Department.id == wanted, department_filter(actor))
    department = db.session.scalar(found.options(joinedload(Department.country, innerjoin=True)))
    if department is None:
        errors["department_id"] = _("Choose one of your departments.")
    elif not department.active:
        errors["department_id"] = _("This department is closed and takes no new bookings.")
        return None
    return department


def _normalised(code: str | None) -> str:
    return (code or "").strip().lower()


def languages_among(*codes: str | None) -> frozenset[str]:
    """Which of the typed codes (normalised) RRIS knows, in one query for all of them."""
    wanted = {_normalised(code) for code in codes} - {""}
    return (
        frozenset(db.session.scalars(select(Language.code).where(Language.code.in_(wanted)))) if wanted else frozenset()
    )


def known_language(code: str, name: str, errors: dict[str, str], known: Collection[str] | None = None) -> str | None:
    """The language code typed for field `name`, normalised, or None with the error noted;
    `known`: the codes `languages_among` found, when the caller checks several at once."""
    code = _normalised(code)
    if not code:
        errors[name] = _("Choose a language.")
        return None
    if (code not in known) if known is not None else (db.session.get(Language, code) is None):
        errors[name] = _("%(code)s is not an ISO 639-3 language code.", code=code)
        return None
    return code


def dialect_exists(language: str, name: str) -> bool:
    """True when RRIS knows a dialect `name` of `language`."""
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


def _start(
    request: BookingRequest, department: Department | None, now: datetime, errors: dict[str, str]
) -> datetime | None:
    local = request.start_local
    if department is None:
        return None
    try:
        start = local_to_utc(local, department.timezone, request.start_occurrence)
    except NonexistentLocalTime:
        errors["start_local"] = _(
            "%(time)s does not exist in %(zone)s: the clocks skip it.",
            time=f"{local:%Y-%m-%dT%H:%M}",
            zone=department.timezone,
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
