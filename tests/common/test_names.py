"""Language and country names come from CLDR in the reader's language: the ISO 639-3 codes CLDR
files under another identifier (Dari is fa_AF) by that identifier, the varieties it lacks as their
language qualified; Kosovo* keeps its asterisk and its footnote, translated, in every language."""

from __future__ import annotations

import pytest
from babel import Locale
from flask_babel import force_locale

from rris.common.domain.locales import LOCALE_IDENTIFIERS, SOURCE_LOCALE
from rris.common.services.wording import language_name, region_label
from rris.pool.domain.languages import POOL_LANGUAGES, RELAY_LANGUAGE

SHIPPED = tuple(identifier for identifier in LOCALE_IDENTIFIERS if identifier != SOURCE_LOCALE)
# The officers' languages of the seven countries.
OFFICE_LANGUAGES = ("sqi", "bos", "hrv", "srp", "cnr", "mkd", "tur")
ENGLISH_FOOTNOTE = (
    "This designation is without prejudice to positions on status, and is in line with UNSCR 1244/1999 "
    "and the ICJ Opinion on the Kosovo declaration of independence."
)


@pytest.fixture
def reading(app):
    """Names as a request reads them, in the locale the test gives."""

    def names_in(locale: str, codes: tuple[str, ...]) -> list[str]:
        with app.test_request_context(), force_locale(locale):
            return [language_name(code) for code in codes]

    return names_in


@pytest.mark.parametrize("locale", ["ps", "ar"])
def test_dari_farsi_and_standard_arabic_are_named_by_cldr_in_pashto_and_arabic(reading, locale):
    cldr = Locale.parse(locale).languages
    assert reading(locale, ("prs", "pes", "arb")) == [cldr["fa_AF"], cldr["fa"], cldr["ar_001"]]


def test_english_names_are_cldrs_and_varieties_cldr_lacks_are_their_language_qualified(reading):
    codes = ("prs", "pes", "arb", "apc", "acm", "kmr", "ckb", "cnr")
    assert reading("en", codes) == [
        "Dari",
        "Persian",
        "Modern Standard Arabic",
        "Arabic (Levantine)",
        "Arabic (Iraq)",
        "Kurdish (Kurmanji)",
        "Central Kurdish",
        "Montenegrin",
    ]


def test_varieties_read_in_the_readers_language(reading):
    assert reading("sr_Cyrl", ("apc", "acm", "kmr", "cnr")) == [
        "арапски (левантски)",
        "арапски (Ирак)",
        "курдски (курманџи)",
        "црногорски",
    ]
    assert reading("ar", ("apc", "kmr")) == ["العربية (الشامية)", "الكردية (الكرمانجية)"]


@pytest.mark.parametrize("locale", SHIPPED)
def test_no_language_of_the_pool_or_the_offices_shows_its_english_name(reading, locale):
    codes = (*POOL_LANGUAGES, RELAY_LANGUAGE, *OFFICE_LANGUAGES)
    english = dict(zip(codes, reading("en", codes), strict=True))
    named = dict(zip(codes, reading(locale, codes), strict=True))
    assert [code for code in codes if named[code] == english[code]] == []


@pytest.mark.parametrize("locale", LOCALE_IDENTIFIERS)
def test_kosovo_keeps_its_asterisk_and_its_footnote_in_every_language(app, locale):
    with app.test_request_context(), force_locale(locale):
        name, footnote = region_label("XK")
        serbia = region_label("RS")
    assert name == Locale.parse(locale).territories["XK"] + "*"
    assert serbia == (Locale.parse(locale).territories["RS"], None)
    assert footnote and "1244/1999" in footnote
    assert (footnote == ENGLISH_FOOTNOTE) is (locale == SOURCE_LOCALE)


def test_english_country_names_are_cldrs(app):
    with app.test_request_context(), force_locale("en"):
        assert [region_label(code)[0] for code in ("BA", "TR", "MK", "XK")] == [
            "Bosnia & Herzegovina",
            "Türkiye",
            "North Macedonia",
            "Kosovo*",
        ]
