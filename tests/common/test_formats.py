"""One format per context, in the reader's locale: day before month where the locale puts it
there, the locale's clock, never seconds, the zone named, the locale's own digits. What each
locale looks like is CLDR's (through Babel); the tests pin what Babel says for it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from babel import Locale

from rris.common.domain import formats

# Sunday 12 July 2026, 09:00 in Belgrade (summer time, UTC+02:00): the date the US style writes 7/12.
START = datetime(2026, 7, 12, 7, 0, tzinfo=UTC)
END = datetime(2026, 7, 12, 8, 30, tzinfo=UTC)
BELGRADE = "Europe/Belgrade"
KABUL = "Asia/Kabul"
LOCALES = ("en", "en_150", "sr_Latn", "sr_Latn_ME", "sr_Cyrl", "mk", "tr", "ar", "fa", "fa_AF", "ps", "sq", "bs", "ur")
PERSIAN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def latin(text: str) -> str:
    return text.translate(PERSIAN)


def test_a_list_row_in_english_names_the_month_the_weekday_and_the_zone():
    assert formats.list_row(START, BELGRADE, "en") == "Sun, Jul 12, 9:00 AM Belgrade (UTC+02:00)"


def test_english_as_written_in_europe_puts_the_day_first_on_a_24_hour_clock():
    # en_150 is what English pages use (`formatting_locale`); plain "en" above is CLDR's US English.
    assert formats.list_row(START, BELGRADE, "en_150") == "Sun, 12 Jul, 09:00 Belgrade (UTC+02:00)"
    assert formats.list_row(START, BELGRADE, "en_150", today=date(2027, 1, 3)) == (
        "Sun, 12 Jul 2026, 09:00 Belgrade (UTC+02:00)"
    )
    assert formats.heading(START, BELGRADE, "en_150") == "Sunday, 12 July 2026, 09:00 Belgrade (UTC+02:00)"
    assert formats.time_span(START, END, BELGRADE, "en_150") == "Sun, 12 Jul, 09:00\u201310:30 Belgrade (UTC+02:00)"
    assert formats.day(date(2026, 7, 12), "en_150") == "12 Jul 2026"
    assert formats.duration(timedelta(minutes=90), "en_150") == "1 hr, 30 mins"
    assert formats.money(Decimal("1234.5"), "EUR", "en_150") == "1,234.50\u00a0€"


def test_a_list_row_in_serbian_puts_the_day_first_on_a_24_hour_clock():
    assert formats.list_row(START, BELGRADE, "sr_Latn") == "ned 12. jul 09:00 Beograd (UTC+02:00)"
    assert formats.list_row(START, BELGRADE, "sr_Cyrl") == "нед 12. јул 09:00 Београд (UTC+02:00)"


def test_a_list_row_in_macedonian_and_turkish_uses_their_own_names_of_day_month_and_city():
    assert formats.list_row(START, BELGRADE, "mk") == "нед., 12 јул., 09:00 Белград (UTC+02:00)"
    assert formats.list_row(START, BELGRADE, "tr") == "12 Tem Paz 09:00 Belgrad (UTC+02:00)"


def test_the_row_shows_the_wall_clock_of_the_zone_it_names():
    assert formats.list_row(START, KABUL, "sr_Latn") == "ned 12. jul 11:30 Kabul (UTC+04:30)"


def test_the_year_is_shown_only_when_it_is_not_the_readers_current_year():
    assert "2026" not in formats.list_row(START, BELGRADE, "sr_Latn", today=date(2026, 1, 1))
    assert formats.list_row(START, BELGRADE, "sr_Latn", today=date(2027, 1, 3)) == (
        "ned, 12. jul 2026. 09:00 Beograd (UTC+02:00)"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_format_of_a_time_leaves_out_the_seconds_and_names_the_zone(locale):
    with_seconds = START.replace(second=42)
    for text in (
        formats.list_row(with_seconds, BELGRADE, locale),
        formats.heading(with_seconds, BELGRADE, locale),
        formats.time_span(with_seconds, END, BELGRADE, locale),
    ):
        plain = latin(text)
        assert "42" not in plain
        assert not re.search(r"\d:\d\d:\d\d", plain)
        assert "(UTC+02:00)" in plain


@pytest.mark.parametrize(
    ("locale", "day_first", "twenty_four_hours"),
    [
        ("en", False, False),
        ("en_150", True, True),
        ("sr_Latn", True, True),
        ("sr_Cyrl", True, True),
        ("sr_Latn_ME", True, True),
        ("mk", True, True),
        ("tr", True, True),
        ("bs", True, True),
        ("ar", True, False),
        ("fa", True, True),
    ],
)
def test_day_before_month_and_the_24_hour_clock_where_the_locale_uses_them(locale, day_first, twenty_four_hours):
    text = latin(formats.list_row(datetime(2026, 7, 12, 14, 5, tzinfo=UTC), "UTC", locale))
    month = Locale.parse(locale).months["format"]["abbreviated"][7]
    assert (text.index("12") < text.index(month)) is day_first
    assert ("14:05" in text) is twenty_four_hours
    assert formats.uses_24_hour_clock(locale) is twenty_four_hours


@pytest.mark.parametrize("locale", ["fa", "fa_AF", "ps"])
def test_persian_and_pashto_write_their_own_digits_as_cldr_makes_them_default(locale):
    assert Locale.parse(locale).default_numbering_system == "arabext"
    row = formats.list_row(START, KABUL, locale)
    assert "۱۲" in row and "۱۱:۳۰" in row and "(UTC+۰۴:۳۰)" in row
    assert not re.search(r"[0-9]", row)
    assert formats.number(1234.5, locale) == "۱٬۲۳۴٫۵"


def test_farsi_dates_and_numbers_read_in_persian_digits():
    assert formats.list_row(START, KABUL, "fa") == "یکشنبه ۱۲ ژوئیه،\u200f ۱۱:۳۰ کابل (UTC+۰۴:۳۰)"
    assert formats.money(Decimal("1234.50"), "EUR", "fa") == "\u200e€\u00a0۱٬۲۳۴٫۵۰"


def test_arabic_keeps_latin_digits_because_cldr_defaults_it_to_them():
    assert Locale.parse("ar").default_numbering_system == "latn"
    assert formats.list_row(START, BELGRADE, "ar") == "الأحد، 12 يوليو، 9:00 ص بلغراد (UTC+02:00)"
    assert formats.number(1234.5, "ar") == "1,234.5"


def test_a_heading_gives_the_full_date():
    assert formats.heading(START, BELGRADE, "en") == "Sunday, July 12, 2026, 9:00 AM Belgrade (UTC+02:00)"
    assert formats.heading(START, BELGRADE, "sr_Latn") == "nedelja, 12. jul 2026. 09:00 Beograd (UTC+02:00)"
    assert formats.heading(START, BELGRADE, "sr_Latn_ME").startswith("nedjelja, 12. jul 2026.")


def test_a_span_on_one_day_names_the_day_once_and_one_across_midnight_names_both():
    assert formats.time_span(START, END, BELGRADE, "sr_Latn") == "ned 12. jul 09:00–10:30 Beograd (UTC+02:00)"
    english = formats.time_span(START, END, BELGRADE, "en")
    assert english == "Sun, Jul 12, 9:00\u2009–\u200910:30\u202fAM Belgrade (UTC+02:00)"
    night = formats.time_span(
        datetime(2026, 7, 12, 20, 0, tzinfo=UTC), datetime(2026, 7, 12, 23, 0, tzinfo=UTC), BELGRADE, "sr_Latn"
    )
    assert night == "ned 12. jul 22:00\u2009–\u2009pon 13. jul 01:00 Beograd (UTC+02:00)"


def test_the_zone_is_named_at_the_offset_of_the_instant():
    january = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert formats.zone_label(BELGRADE, january, "sr_Cyrl") == "Београд (UTC+01:00)"
    assert formats.zone_label(BELGRADE, START, "tr") == "Belgrad (UTC+02:00)"


def test_dates_months_and_periods_for_reports():
    assert formats.day(date(2026, 7, 12), "en") == "Jul 12, 2026"
    assert formats.day(date(2026, 7, 12), "sr_Latn") == "12. jul 2026."
    assert formats.day_heading(date(2026, 7, 12), "tr") == "12 Temmuz 2026 Pazar"
    assert formats.month(date(2026, 3, 1), "en") == "March 2026"
    assert formats.month(date(2026, 3, 1), "sr_Cyrl") == "март 2026."
    assert formats.month(date(2026, 3, 1), "en", short=True) == "Mar 2026"
    assert formats.day_span(date(2026, 3, 1), date(2026, 3, 15), "tr") == "1–15 Mar 2026"


def test_durations_read_in_hours_and_minutes_never_rounded_to_the_hour():
    assert formats.duration(timedelta(minutes=90), "en") == "1 hr, 30 min"
    assert formats.duration(timedelta(minutes=90), "sr_Latn") == "1 sat i 30 min"
    assert formats.duration(timedelta(hours=2), "tr") == "2 sa."
    assert formats.duration(timedelta(minutes=45), "mk") == "45 мин."
    assert formats.duration(timedelta(minutes=90), "ar") == "1 س و30 د"
    assert formats.duration(timedelta(0), "en") == "0 min"


def test_a_wait_under_a_minute_reads_in_seconds_then_as_a_duration():
    assert formats.waited(timedelta(seconds=40), "en") == "40 sec"
    assert formats.waited(timedelta(seconds=40), "fa_AF") == "۴۰ ثانیه"
    assert formats.waited(timedelta(seconds=200), "en") == "3 min"


def test_numbers_percentages_and_money_follow_the_locale():
    assert formats.number(1234.5, "en") == "1,234.5"
    assert formats.number(1234.5, "sr_Latn") == "1.234,5"
    assert formats.number(3, "sr_Latn", 1) == "3,0"
    assert formats.percent(0.825, "en") == "82.5%"
    assert formats.percent(0.825, "tr") == "%82,5"
    assert formats.percent(0.825, "mk") == "82,5\u00a0%"
    assert formats.money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
    assert formats.money(Decimal("1234.5"), "EUR", "sr_Latn") == "1.234,50\u00a0€"
    assert formats.money(Decimal("1234.5"), "TRY", "tr") == "₺1.234,50"


def test_a_locale_may_be_named_with_a_hyphen_as_browsers_write_it():
    assert formats.list_row(START, BELGRADE, "sr-Latn") == formats.list_row(START, BELGRADE, "sr_Latn")
