"""The interface locales and the rule that picks one: profile, switcher's cookie, browser, English."""

import pytest

from rris.common.domain.locales import (
    LOCALE_IDENTIFIERS,
    best_accepted,
    choose_locale,
    formatting_locale,
    interface_locale,
    interface_locales,
    locale_for_tag,
    message_locale,
)


def test_the_twelve_interface_locales_name_themselves_in_their_own_language():
    names = {option.identifier: option.native_name for option in interface_locales()}
    assert tuple(names) == LOCALE_IDENTIFIERS
    assert names["sr_Latn"] == "Srpski (latinica)"
    assert names["sr_Cyrl"] == "Српски (ћирилица)"
    assert names["mk"] == "Македонски"
    assert names["fa_AF"] == "دری"  # Dari, not "Persian (Afghanistan)"
    assert names["ps"] == "پښتو"


def test_five_interface_locales_are_written_right_to_left():
    rtl = {option.identifier for option in interface_locales() if option.right_to_left}
    assert rtl == {"fa_AF", "fa", "ps", "ar", "ur"}
    assert all(option.direction == "ltr" for option in interface_locales() if option.identifier not in rtl)


def test_each_locale_has_a_bcp47_tag_and_dari_is_shown_as_prs():
    dari, latin = interface_locale("fa_AF"), interface_locale("sr-Latn")
    assert dari is not None and (dari.tag, dari.code) == ("fa-AF", "prs")
    assert latin is not None and (latin.identifier, latin.tag) == ("sr_Latn", "sr-Latn")
    assert interface_locale("de") is None and interface_locale("") is None and interface_locale(None) is None


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("sr", "sr_Cyrl"),  # CLDR's likely script for Serbian: Cyrillic, Serbia's official script
        ("sr-RS", "sr_Cyrl"),
        ("sr-BA", "sr_Cyrl"),
        ("sr-ME", "sr_Latn"),  # Montenegro writes Serbian in Latin
        ("sr-Latn", "sr_Latn"),
        ("sr-Latn-RS", "sr_Latn"),
        ("sr-Cyrl-ME", "sr_Cyrl"),  # an explicit script wins over the country's likely one
        ("cnr", "sr_Latn"),  # Montenegrin
        ("sh", "sr_Latn"),
        ("hr", "bs"),  # Croatian readers: Bosnian's Latin, ijekavian standard is the closest
        ("bs-BA", "bs"),
        ("prs", "fa_AF"),
        ("fa-AF", "fa_AF"),
        ("fa-IR", "fa"),
        ("fa", "fa"),
        ("ps-PK", "ps"),
        ("ar-SA", "ar"),
        ("ur-PK", "ur"),
        ("sq-XK", "sq"),
        ("mk", "mk"),
        ("tr-TR", "tr"),
        ("en-GB", "en"),
        ("de-DE", None),
        ("*", None),
        ("", None),
    ],
)
def test_a_language_tag_maps_to_the_interface_locale_its_reader_understands(tag, locale):
    assert locale_for_tag(tag) == locale


def test_the_browser_s_most_preferred_supported_language_wins():
    assert best_accepted([("de-DE", 1.0), ("sr-ME", 0.9), ("en", 0.8)]) == "sr_Latn"
    assert best_accepted([("en", 0.5), ("mk", 0.9)]) == "mk"  # by quality, not by position
    assert best_accepted([("ps", 1.0), ("ar", 1.0)]) == "ps"  # equal quality: the first listed
    assert best_accepted([("ar", 0.0), ("de", 1.0)]) is None  # q=0 means "not this one"
    assert best_accepted([]) is None


def test_the_profile_beats_the_cookie_which_beats_the_browser_then_english():
    browser = [("tr", 1.0)]
    assert choose_locale("ps", "mk", browser) == "ps"
    assert choose_locale(None, "mk", browser) == "mk"
    assert choose_locale(None, None, browser) == "tr"
    assert choose_locale(None, None, [("de", 1.0)]) == "en"
    # A value RRIS no longer (or never) speaks is passed over, not obeyed.
    assert choose_locale("xx", "zz", browser) == "tr"


def test_montenegro_s_officers_read_serbian_latin_with_montenegro_s_formats():
    assert formatting_locale("sr_Latn", "ME") == "sr_Latn_ME"
    assert formatting_locale("sq", "XK") == "sq_XK"
    assert formatting_locale("sr_Latn", None) == "sr_Latn"
    # CLDR has no English of Turkey: English as written in Europe, day first on a 24-hour clock.
    assert formatting_locale("en", "TR") == "en_150"
    assert formatting_locale("en", None) == "en_150"


@pytest.mark.parametrize(
    ("office", "locale"),
    [("RS", "sr_Cyrl"), ("ME", "sr_Latn"), ("BA", "bs"), ("MK", "mk"), ("AL", "sq"), ("XK", "sq"), ("TR", "tr")],
)
def test_a_message_to_office_staff_who_chose_no_language_speaks_their_country_s(office, locale):
    assert message_locale(None, office) == locale
    assert formatting_locale(message_locale(None, "ME"), "ME") == "sr_Latn_ME"


def test_a_message_speaks_the_chosen_language_first_and_english_to_people_of_no_office():
    assert message_locale("mk", "RS") == "mk"  # a Macedonian-speaking officer in Belgrade chose it
    assert message_locale("sr-Latn", "RS") == "sr_Latn"
    assert message_locale(None, None) == "en"  # an interpreter, the regional hub
    assert message_locale("klingon", "TR") == "tr"  # an unknown choice (a retired locale) is no choice
    assert message_locale(None, "DE") == "en"
