"""How values read for people, on pages and in messages alike: enum labels, language and country
names (times and numbers: `rris.common.domain.formats`; the matching engine's reasons:
`rris.matching.services.wording`). Works in any app context with a locale
forced or selected, so the portal and the scheduler word things the same way."""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale, UnknownLocaleError
from flask import current_app, g
from flask_babel import get_locale, pgettext
from flask_babel import lazy_gettext as _l

from rris.accounts.services.preferences import formats_country
from rris.common.domain.locales import SOURCE_LOCALE, formatting_locale
from rris.enums import (
    BookingState,
    Channel,
    Employment,
    Gender,
    GenderRule,
    GuestKind,
    Modality,
    MoveReason,
    NotificationKind,
    NotificationState,
    OfferState,
    PhoneDirection,
    PhoneLegStatus,
    Proficiency,
    Role,
    SessionKind,
    Specialisation,
    Weekday,
)
from rris.extensions import db
from rris.pool.models.languages import Language

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
    (MoveReason.APPLICANT_ILL, _l("The applicant is ill")),
    (MoveReason.OFFICER_UNAVAILABLE, _l("The officer is not available")),
    (MoveReason.ROOM_OR_EQUIPMENT, _l("The room or the equipment is not available")),
    (MoveReason.OTHER, _l("Another reason")),
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
    (NotificationKind.OFFER, _l("job offer")),
    (NotificationKind.INVITATION, _l("calendar invitation")),
    (NotificationKind.INVITATION_CANCEL, _l("calendar cancellation")),
    (NotificationKind.REMINDER_24H, _l("reminder, 24 hours before")),
    (NotificationKind.REMINDER_1H, _l("reminder, 1 hour before")),
    (NotificationKind.JOIN_NOW, _l("join now, 10 minutes before")),
    (NotificationKind.UNFILLED, _l("no interpreter found")),
    (NotificationKind.UNFILLED_24H, _l("still unfilled, 24 hours before")),
    (NotificationKind.UNFILLED_2H, _l("still unfilled, 2 hours before")),
    (NotificationKind.CONFLICT, _l("conflict")),
    (NotificationKind.NO_SHOW, _l("not everyone joined")),
    (NotificationState.PENDING, _l("waiting")),
    (NotificationState.SENDING, _l("sending")),
    (NotificationState.SENT, _l("sent")),
    (NotificationState.SKIPPED, _l("not sent")),
    (NotificationState.FAILED, _l("failed")),
    (NotificationState.UNCERTAIN, _l("maybe sent")),
    (Channel.EMAIL, _l("email")),
    (Channel.SMS, _l("SMS")),
    (GuestKind.LEGAL_ADVISER, _l("Legal adviser")),
    (GuestKind.GUARDIAN, _l("Guardian")),
    (PhoneDirection.OUTBOUND, _l("rung by RRIS")),
    (PhoneDirection.INBOUND, _l("dialled in")),
    (PhoneLegStatus.REQUESTED, _l("requested")),
    (PhoneLegStatus.QUEUED, _l("queued")),
    (PhoneLegStatus.INITIATED, _l("dialling")),
    (PhoneLegStatus.RINGING, _l("ringing")),
    (PhoneLegStatus.IN_PROGRESS, _l("on the phone")),
    (PhoneLegStatus.COMPLETED, _l("ended")),
    (PhoneLegStatus.BUSY, _l("busy")),
    (PhoneLegStatus.NO_ANSWER, _l("no answer")),
    (PhoneLegStatus.FAILED, _l("failed")),
    (PhoneLegStatus.CANCELED, _l("cancelled")),
)


# Keyed by (enum class, member): members of different StrEnums with one value ("medical")
# are equal to each other and would overwrite one another as plain keys.
LABELS: dict[tuple[type, object], object] = {(type(member), member): text for member, text in _LABEL_LIST}


def label(value: object) -> str:
    """The translated name of an enum member (role, weekday, specialisation...)."""
    return str(LABELS.get((type(value), value), value))


def language_name(code: str) -> str:
    """The language's name in the current language: CLDR's, under its ISO 639-1 code, its own
    code or the CLDR name it goes by (Dari is fa_AF); a variety CLDR lacks is its language's
    name qualified ("Arabic (Levantine)"); else RRIS's own name or the ISO 639-3 reference name."""
    alpha_2, reference_name = _catalogue_entry(code)
    languages = _cldr_names("languages")
    for key in filter(None, [alpha_2, code, _CLDR_LANGUAGE_KEYS.get(code)]):
        if localized := languages.get(key):
            return localized
    if code in _VARIETIES:
        language, qualifier = _VARIETIES[code]
        if localized := languages.get(language):
            return f"{localized} ({qualifier()})"  # as Babel writes a locale's display name
    return str(_OWN_LANGUAGE_NAMES.get(code, reference_name))


# ISO 639-3 codes CLDR names under another identifier: Dari is Persian of Afghanistan.
_CLDR_LANGUAGE_KEYS: dict[str, str] = {"prs": "fa_AF", "pes": "fa", "arb": "ar_001"}

# Varieties CLDR has no name for: the language CLDR does name, and what qualifies it.
_VARIETIES: dict[str, tuple[str, Callable[[], str]]] = {
    "apc": ("ar", lambda: pgettext("a variety of Arabic, as in 'Arabic (Levantine)'", "Levantine")),
    "acm": ("ar", lambda: region_name("IQ")),  # Mesopotamian Arabic is Iraq's
    "kmr": ("ku", lambda: pgettext("a variety of Kurdish, as in 'Kurdish (Kurmanji)'", "Kurmanji")),
}

# Languages CLDR does not name at all.
_OWN_LANGUAGE_NAMES: dict[str, object] = {"cnr": _l("Montenegrin")}


def _catalogue_entry(code: str) -> tuple[str | None, str]:
    # The ISO catalogue changes only when `sync_languages` runs (at install): kept per app so a
    # scheduler wording thousands of messages does not read the same row after every commit.
    cache: dict[str, tuple[str | None, str]] = current_app.extensions.setdefault("rris.language_catalogue", {})
    if code not in cache:
        language = db.session.get(Language, code)
        cache[code] = (language.alpha_2, language.name) if language else (None, code)
    return cache[code]


# Names that must carry a footnote wherever they are shown, by ISO 3166 code: Kosovo*, worded as
# the 2012 arrangements on regional representation and cooperation have it.
_REGION_FOOTNOTES: dict[str, object] = {
    "XK": _l(
        "This designation is without prejudice to positions on status, and is in line with UNSCR "
        "1244/1999 and the ICJ Opinion on the Kosovo declaration of independence."
    ),
}


def region_name(code: str) -> str:
    """A country's name in the current language from its ISO 3166 code ("AF" -> "Afghanistan");
    the code itself when the language has no name for it."""
    return _cldr_names("territories").get(code, code)


def region_footnote(code: str) -> str | None:
    """The footnote a country's name must carry wherever it is shown (Kosovo's), in the current
    language, else None."""
    footnote = _REGION_FOOTNOTES.get(code)
    return None if footnote is None else str(footnote)


def region_label(code: str) -> tuple[str, str | None]:
    """A country's name as every page and message shows it, in the current language, with an
    asterisk when it needs a footnote ("Kosovo*"), and that footnote."""
    footnote = region_footnote(code)
    return (f"{region_name(code)}*" if footnote else region_name(code)), footnote


def with_footnote(sentence: str, footnote: str | None) -> str:
    """A sentence that names a country needing a footnote, followed by that footnote."""
    return f"{sentence} * {footnote}" if footnote else sentence


def current_locale() -> Locale:
    """The one place that decides the locale dates, times, numbers and durations are written in,
    for pages, messages and exports alike: the language gettext speaks now (the page's, or the one
    a message forces) as used in its reader's country (`formats_country`: Serbian Latin read in
    Montenegro is sr_Latn_ME), English as written in Europe; English outside any context."""
    identifier = formatting_locale(str(get_locale() or SOURCE_LOCALE), formats_country())
    cache: dict[str, Locale] = current_app.extensions.setdefault("rris.formatting_locales", {})
    if identifier not in cache:
        cache[identifier] = Locale.parse(identifier)
    return cache[identifier]


def _cldr_names(kind: str) -> dict[str, str]:
    """CLDR's names of languages or territories ("languages", "territories") in the current language."""
    # Keyed by locale: the scheduler words messages for people of different languages in one context.
    locale = str(get_locale())
    cache = g.setdefault(f"cldr_{kind}", {})
    if locale not in cache:
        try:
            cache[locale] = getattr(Locale.parse(locale), kind)
        except (UnknownLocaleError, ValueError):
            cache[locale] = {}
    return cache[locale]
