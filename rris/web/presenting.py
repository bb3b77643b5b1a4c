"""How values look on a page: times in the viewer's zone with the zone named, language and
country names, footnotes. Templates call these; they never do time-zone maths themselves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rris.context import current_clock
from rris.domain.permissions import capabilities
from rris.enums import (
    BookingState,
    Employment,
    Gender,
    GenderRule,
    Modality,
    OfferState,
    Proficiency,
    Role,
    SessionKind,
    Specialisation,
    Weekday,
)
from rris.extensions import db
from rris.models import Country, Language
from rris.timeutil import city_of_zone, to_local, utc_offset_label
from rris.web.authentication import current_actor


def zone_label(zone_name: str, instant: datetime | None = None) -> str:
    """'Kabul (UTC+04:30)': the place and its offset at `instant` (default now)."""
    moment = instant or current_clock().now()
    return f"{city_of_zone(zone_name)} ({utc_offset_label(moment, zone_name)})"


def local_time(instant: datetime | None, zone_name: str | None = None, style: str = "medium") -> str:
    """`instant` as wall-clock time in `zone_name` (default: the viewer's), zone named."""
    if instant is None:
        return ""
    zone_name = zone_name or viewer_zone()
    local = to_local(instant, zone_name)
    text = format_datetime(local.replace(tzinfo=None), format=style, rebase=False)
    return f"{text} {zone_label(zone_name, instant)}"


def local_clock(zone_name: str) -> str:
    """The time it is now in `zone_name`, e.g. '14:05'."""
    local = to_local(current_clock().now(), zone_name)
    return f"{local:%H:%M}"


def long_date(day: date | None) -> str:
    """A calendar date in the viewer's language."""
    return "" if day is None else format_date(day, format="medium")


def viewer_zone() -> str:
    """The signed-in person's zone, UTC for visitors."""
    if current_user.is_authenticated:
        return current_user.zone_name
    return "UTC"


def language_name(code: str) -> str:
    """The language's name in the viewer's language (CLDR), else its ISO 639-3 reference name."""
    language = db.session.get(Language, code)
    for key in filter(None, [language.alpha_2 if language else None, code]):
        localized = _cldr_languages().get(key)
        if localized:
            return localized
    return language.name if language else code


def country_name(country: Country) -> str:
    """The country's name; one that needs a footnote gets its asterisk and the page shows it."""
    if country.footnote:
        footnotes = g.setdefault("footnotes", {})
        footnotes.setdefault(country.display_name, country.footnote)
    return country.display_name


def page_footnotes() -> dict[str, str]:
    """Footnotes collected while the page rendered (Kosovo*, ...)."""
    return g.get("footnotes", {})


_LABEL_LIST: tuple[tuple[object, object], ...] = (
    (Role.CASEWORKER, _l("Caseworker")),
    (Role.FOCAL_POINT, _l("Country focal point")),
    (Role.INTERPRETER, _l("Interpreter")),
    (Role.COORDINATOR, _l("Coordinator")),
    (Role.ADMIN, _l("Administrator")),
    (Weekday.MONDAY, _l("Mon")),
    (Weekday.TUESDAY, _l("Tue")),
    (Weekday.WEDNESDAY, _l("Wed")),
    (Weekday.THURSDAY, _l("Thu")),
    (Weekday.FRIDAY, _l("Fri")),
    (Weekday.SATURDAY, _l("Sat")),
    (Weekday.SUNDAY, _l("Sun")),
    (Specialisation.TRAUMA, _l("trauma")),
    (Specialisation.CHILDREN, _l("children")),
    (Specialisation.MEDICAL, _l("medical")),
    (Specialisation.LEGAL, _l("legal")),
    (Specialisation.CULTURAL_MEDIATION, _l("cultural mediation")),
    (Specialisation.GENDER_BASED_VIOLENCE, _l("gender-based violence")),
    (Proficiency.NATIVE, _l("native")),
    (Proficiency.C2, "C2"),
    (Proficiency.C1, "C1"),
    (Proficiency.B2, "B2"),
    (BookingState.REQUESTED, _l("requested")),
    (BookingState.OFFERED, _l("offered")),
    (BookingState.CONFIRMED, _l("confirmed")),
    (BookingState.IN_PROGRESS, _l("in progress")),
    (BookingState.COMPLETED, _l("completed")),
    (BookingState.CANCELLED, _l("cancelled")),
    (BookingState.UNFILLED, _l("unfilled")),
    (BookingState.INTERPRETER_NO_SHOW, _l("interpreter did not come")),
    (BookingState.APPLICANT_NO_SHOW, _l("applicant did not come")),
    (BookingState.WRONG_LANGUAGE, _l("wrong language")),
    (BookingState.TECHNICAL_FAILURE, _l("technical failure")),
    (SessionKind.ASYLUM_INTERVIEW, _l("Asylum interview")),
    (SessionKind.REGISTRATION, _l("Registration")),
    (SessionKind.RECEPTION, _l("Reception")),
    (SessionKind.MEDICAL, _l("Medical appointment")),
    (SessionKind.LEGAL_COUNSELLING, _l("Legal counselling")),
    (SessionKind.RETURN_COUNSELLING, _l("Return counselling")),
    (SessionKind.AGE_ASSESSMENT, _l("Age assessment")),
    (SessionKind.VULNERABILITY_ASSESSMENT, _l("Vulnerability assessment")),
    (Modality.VIDEO, _l("video")),
    (Modality.PHONE, _l("telephone")),
    (GenderRule.NONE, _l("no preference")),
    (GenderRule.PREFERRED, _l("preferred")),
    (GenderRule.REQUIRED, _l("required")),
    (OfferState.PENDING, _l("waiting")),
    (OfferState.ACCEPTED, _l("accepted")),
    (OfferState.DECLINED, _l("declined")),
    (OfferState.EXPIRED, _l("expired")),
    (OfferState.WITHDRAWN, _l("withdrawn")),
    (Gender.FEMALE, _l("female")),
    (Gender.MALE, _l("male")),
    (Employment.STAFF, _l("staff")),
    (Employment.FREELANCE, _l("freelance")),
)


# Keyed by (enum class, member): members of different StrEnums with one value ("medical")
# are equal to each other and would overwrite one another as plain keys.
LABELS: dict[tuple[type, object], object] = {(type(member), member): text for member, text in _LABEL_LIST}


def label(value: object) -> str:
    """The translated name of an enum member (role, weekday, specialisation...)."""
    return str(LABELS.get((type(value), value), value))


def register_presenters(app: Flask) -> None:
    """Make the presenters available to every template."""
    app.jinja_env.filters.update(
        local_time=local_time,
        long_date=long_date,
        language_name=language_name,
        country_name=country_name,
        zone_label=zone_label,
        local_clock=local_clock,
        label=label,
    )

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        granted = capabilities(current_actor()) if current_user.is_authenticated else frozenset()
        return {"granted": granted, "page_footnotes": page_footnotes, "viewer_zone": viewer_zone}

    app.jinja_env.globals["_"] = _
    app.jinja_env.globals["ngettext"] = ngettext


def _cldr_languages() -> dict[str, str]:
    if "cldr_languages" not in g:
        try:
            g.cldr_languages = Locale.parse(str(get_locale())).languages
        except (UnknownLocaleError, ValueError):
            g.cldr_languages = {}
    return g.cldr_languages
