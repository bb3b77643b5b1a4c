"""The interface languages RRIS speaks, and the rule that picks one for a person (pure).

Every other module names a locale only through this one: the list, each locale's script
direction and its name in itself come from here, and so does the choice among a profile's
setting, the switcher's cookie and the browser's Accept-Language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.localedata import locale_identifiers

SOURCE_LOCALE = "en"
ENGLISH_FORMATS = "en_150"
# Babel's identifiers, in the order the switcher lists them: the source, the languages of the
# region's offices, then the interpreters' languages (the last five written right to left).
LOCALE_IDENTIFIERS = ("en", "sq", "bs", "mk", "sr_Latn", "sr_Cyrl", "tr", "fa_AF", "fa", "ps", "ar", "ur")
# Where a language code is shown to people, Dari goes by its ISO 639-3 code, not by "fa-AF".
_SHOWN_CODES = {"fa_AF": "prs"}

# Language subtags that map to one of ours whatever follows them. Dari ("prs", and "fa-AF" below)
# has its own catalogue; Montenegrin ("cnr") is read in Serbian Latin with Montenegro's formats;
# Croatian ("hr") readers understand Bosnian (the same Latin, ijekavian standard) better than
# Serbian, and Serbo-Croatian ("sh") is written in Latin.
_LANGUAGE_ALIASES = {"prs": "fa_AF", "cnr": "sr_Latn", "hr": "bs", "sh": "sr_Latn"}
_SCRIPT_LENGTH = 4

# The interface locale of each country's asylum offices (ISO 3166 codes; Kosovo* as XK): what a
# message says to their staff who have not chosen a language. Serbia's official script is
# Cyrillic; Montenegro's officers read Serbian in Latin; Kosovo's offices work in Albanian.
OFFICE_LOCALES = {"AL": "sq", "BA": "bs", "ME": "sr_Latn", "MK": "mk", "RS": "sr_Cyrl", "TR": "tr", "XK": "sq"}


@dataclass(frozen=True)
class InterfaceLocale:
    """One interface language: its Babel identifier, its BCP 47 tag, direction and own name."""

    identifier: str  # Babel's, as stored on a profile and in the cookie: "sr_Latn", "fa_AF"
    tag: str  # BCP 47, for lang="..." and Content-Language: "sr-Latn", "fa-AF"
    code: str  # the code people see: "sr-Latn", "prs" for Dari
    direction: str  # "ltr" or "rtl"
    native_name: str  # its name in itself, from CLDR: "srpski (latinica)", "دری"

    @property
    def right_to_left(self) -> bool:
        """True for the languages written right to left."""
        return self.direction == "rtl"


@cache
def interface_locales() -> tuple[InterfaceLocale, ...]:
    """Every interface locale, in the switcher's order."""
    return tuple(_describe(identifier) for identifier in LOCALE_IDENTIFIERS)


def interface_locale(identifier: str | None) -> InterfaceLocale | None:
    """The supported locale `identifier` names ("sr_Latn", also "sr-Latn"), or None."""
    if not identifier:
        return None
    wanted = identifier.strip().replace("-", "_").lower()
    return next((known for known in interface_locales() if known.identifier.lower() == wanted), None)


def locale_for_tag(tag: str) -> str | None:
    """The interface locale a language tag from Accept-Language asks for ("sr-ME" -> "sr_Latn"), or None.

    A bare "sr" is read as CLDR's likely script for it (Cyrillic, Serbia's official script), "sr-ME"
    as Montenegro's (Latin); "fa-AF" and "prs" are Dari, any other "fa" Farsi.
    """
    parts = [part for part in tag.strip().replace("_", "-").split("-") if part]
    if not parts or parts[0] == "*":
        return None
    language = parts[0].lower()
    script = next((part.title() for part in parts[1:] if len(part) == _SCRIPT_LENGTH and part.isalpha()), None)
    region = next((part.upper() for part in parts[1:] if _is_region(part)), None)
    if language in _LANGUAGE_ALIASES:
        return _LANGUAGE_ALIASES[language]
    if language == "fa":
        return "fa_AF" if region == "AF" else "fa"
    if language == "sr":
        script = script or _likely_script(language, region)
        return f"sr_{script}" if script in ("Latn", "Cyrl") else None
    known = interface_locale(language)
    return known.identifier if known else None


def best_accepted(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The supported locale the browser prefers most among its (tag, quality) pairs, or None."""
    ranked = sorted(((quality, -position, tag) for position, (tag, quality) in enumerate(accepted)), reverse=True)
    for quality, _position, tag in ranked:
        if quality <= 0:
            break
        if found := locale_for_tag(tag):
            return found
    return None


def choose_locale(profile: str | None, cookie: str | None, accepted: Iterable[tuple[str, float]]) -> str:
    """A person's interface locale: their profile's choice, then the switcher's cookie, then the
    browser's Accept-Language, then English."""
    for chosen in (profile, cookie):
        if known := interface_locale(chosen):
            return known.identifier
    return best_accepted(accepted) or SOURCE_LOCALE


def message_locale(chosen: str | None, office_country: str | None) -> str:
    """The locale a message to a person is written in: the one they chose; else, for the staff of a
    country's office (`office_country`), that country's interface language; else English.

    A message has no browser to ask, and the sender's language says nothing of the reader's.
    Interpreters (and the regional hub) pass no office country: where they live tells nothing of
    what they read (a Dari interpreter in Istanbul reads no Turkish), so English, the pool's
    working language, until they choose.
    """
    if known := interface_locale(chosen):
        return known.identifier
    return OFFICE_LOCALES.get((office_country or "").upper(), SOURCE_LOCALE)


def formatting_locale(identifier: str, country_code: str | None) -> str:
    """The locale dates and numbers are formatted in: the interface locale as spoken in the
    person's country when CLDR knows that variant (sr_Latn in Montenegro -> sr_Latn_ME, sq in
    Kosovo -> sq_XK), else the interface locale itself, English as written in Europe."""
    if country_code:
        regional = f"{identifier}_{country_code.upper()}"
        if regional in _cldr_identifiers():
            return regional
    # RRIS's English readers are the region's officers and its interpreters, not Americans: CLDR's
    # "English (Europe)" writes the day before the month and a 24-hour clock, as they read them.
    return ENGLISH_FORMATS if identifier == SOURCE_LOCALE else identifier


def _describe(identifier: str) -> InterfaceLocale:
    locale = Locale.parse(identifier)
    # CLDR names Dari "دری" under the fa_AF key; the display name would say "Persian (Afghanistan)".
    name = locale.languages.get(identifier) or locale.display_name or identifier
    return InterfaceLocale(
        identifier=identifier,
        tag=identifier.replace("_", "-"),
        code=_SHOWN_CODES.get(identifier, identifier.replace("_", "-")),
        direction=locale.text_direction,
        native_name=name[:1].upper() + name[1:],
    )


def _is_region(part: str) -> bool:
    return (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit())  # noqa: PLR2004


def _likely_script(language: str, region: str | None) -> str:
    likely = get_global("likely_subtags")
    full = likely.get(f"{language}_{region}") if region else None
    full = full or likely.get(language, "")
    script = next((part for part in full.split("_")[1:] if len(part) == _SCRIPT_LENGTH), None)
    return script or "Latn"


@cache
def _cldr_identifiers() -> frozenset[str]:
    return frozenset(locale_identifiers())
