"""How times, dates, durations, numbers and money read for people: one format per context, from
CLDR through Babel, in the locale the caller names. Pure: no Flask, no request; the caller passes
the instant (UTC), the IANA zone and the locale, so pages, exports, charts and messages
word a time the same way.

The rules, all CLDR's rather than ours: the day goes before the month where the locale puts it
there, the clock is the locale's (24-hour where its short time pattern is), seconds are never
shown, and every time names its zone: the city in the reader's language and the UTC offset at
that instant ("Beograd (UTC+02:00)"). Digits are the locale's own: Babel knows each locale's
default numbering system (Persian digits for fa and ps, Latin for ar) and gives its separators,
but writes dates and numbers in Latin digits, so `_native_digits` puts the system's digits in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, lists, numbers, units

from rris.timeutil import to_local, utc_offset_label, zone

LocaleLike = Locale | str
Number = int | float | Decimal

# The zero of each numbering system a supported locale may default to (CLDR numberingSystems.xml:
# each system's ten digits are consecutive code points). Babel names the system, not its digits.
_ZERO_OF_SYSTEM = {"latn": "0", "arab": "\u0660", "arabext": "\u06f0"}

# Where a span runs past midnight each end gets its own day; CLDR's fallback joins the two ends.
_SAME_DAY_HOURS = "Hm"
_12_HOUR_CLOCK = "hm"

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR


@lru_cache(maxsize=64)
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def as_locale(locale: LocaleLike) -> Locale:
    """A Babel Locale from a Locale or a name such as 'sr_Latn' or 'sr-Latn-ME'."""
    if isinstance(locale, Locale):
        return locale
    return _parsed(locale.replace("-", "_"))


def uses_24_hour_clock(locale: LocaleLike) -> bool:
    """True when the locale's own short time pattern counts hours 0-23 (CLDR's 'H' or 'k')."""
    pattern = as_locale(locale).time_formats["short"].pattern
    return "H" in pattern or "k" in pattern


def _digits(locale: Locale) -> dict[int, str]:
    return _digits_from(_ZERO_OF_SYSTEM.get(str(locale.default_numbering_system), "0"))


@lru_cache(maxsize=8)
def _digits_from(zero: str) -> dict[int, str]:
    """The translation table from Latin digits to the ten starting at `zero` (one per numbering system)."""
    return {ord(str(digit)): chr(ord(zero) + digit) for digit in range(10)}


def _native_digits(text: str, locale: Locale) -> str:
    """`text` with its Latin digits written in the locale's default numbering system."""
    return text.translate(_digits(locale))


def zone_label(zone_name: str, instant: datetime, locale: LocaleLike) -> str:
    """'Beograd (UTC+02:00)': the zone's city in the reader's language and its offset at `instant`."""
    loc = as_locale(locale)
    return _native_digits(f"{_city(zone_name, loc)} ({utc_offset_label(instant, zone_name)})", loc)


@lru_cache(maxsize=4096)
def _city(zone_name: str, locale: Locale) -> str:
    """The zone's city in the locale's language (CLDR's, which never changes while the process runs)."""
    return dates.get_timezone_location(zone(zone_name), locale=locale, return_city=True)


def _clock(local: datetime, locale: Locale) -> str:
    skeleton = _SAME_DAY_HOURS if uses_24_hour_clock(locale) else _12_HOUR_CLOCK
    return dates.format_skeleton(skeleton, local, locale=locale)


def _day_skeleton(day: date, today: date | None) -> str:
    """Weekday, day and month; the year too when it is not the reader's current year."""
    return "yMMMEd" if today is not None and day.year != today.year else "MMMEd"


def _glue(day_text: str, time_text: str, locale: Locale, width: str = "short") -> str:
    """The locale's way of putting a date and a time together ('{1}, {0}', '{1} {0}', ...)."""
    pattern = str(locale.datetime_formats[width]).replace("'", "")
    return pattern.replace("{0}", time_text).replace("{1}", day_text)


def _row_text(local: datetime, locale: Locale, today: date | None) -> str:
    day_text = dates.format_skeleton(_day_skeleton(local.date(), today), local, locale=locale)
    return _glue(day_text, _clock(local, locale), locale)


# Pure functions of their arguments (CLDR's data and the tz database do not change while the process
# runs), and the outbox words the same few session times for hundreds of readers at once.
@lru_cache(maxsize=4096)
def list_row(instant: datetime, zone_name: str, locale: LocaleLike, today: date | None = None) -> str:
    """A time in a list: 'Sun 12 Jul, 09:00 Belgrade (UTC+02:00)'; the year only when not `today`'s."""
    loc = as_locale(locale)
    local = to_local(instant, zone_name).replace(tzinfo=None)
    return _native_digits(f"{_row_text(local, loc, today)} {zone_label(zone_name, instant, loc)}", loc)


def heading(instant: datetime, zone_name: str, locale: LocaleLike) -> str:
    """A time as a page states it: the full date, the time, the zone ('Sunday, 12 July 2026, 09:00 ...')."""
    loc = as_locale(locale)
    local = to_local(instant, zone_name).replace(tzinfo=None)
    text = _glue(dates.format_date(local, "full", locale=loc), _clock(local, loc), loc, "full")
    return _native_digits(f"{text} {zone_label(zone_name, instant, loc)}", loc)


def clock(instant: datetime, zone_name: str, locale: LocaleLike) -> str:
    """The time of day alone, on the zone's wall clock: '09:00' or '9:00 AM' (no zone named)."""
    loc = as_locale(locale)
    return _native_digits(_clock(to_local(instant, zone_name).replace(tzinfo=None), loc), loc)


def time_of_day(instant: datetime, zone_name: str, locale: LocaleLike) -> str:
    """A time later today, zone named: '09:45 Beograd (UTC+02:00)' ('The call opens at ...')."""
    loc = as_locale(locale)
    return f"{clock(instant, zone_name, loc)} {zone_label(zone_name, instant, loc)}"


@lru_cache(maxsize=4096)  # as list_row
def time_span(start: datetime, end: datetime, zone_name: str, locale: LocaleLike, today: date | None = None) -> str:
    """A session: 'Sun 12 Jul, 09:00–10:30 Belgrade (UTC+02:00)', or both days when it runs past midnight."""
    loc = as_locale(locale)
    local_start = to_local(start, zone_name).replace(tzinfo=None)
    local_end = to_local(end, zone_name).replace(tzinfo=None)
    if local_start.date() == local_end.date():
        day_text = dates.format_skeleton(_day_skeleton(local_start.date(), today), local_start, locale=loc)
        skeleton = _SAME_DAY_HOURS if uses_24_hour_clock(loc) else _12_HOUR_CLOCK
        text = _glue(day_text, dates.format_interval(local_start, local_end, skeleton, locale=loc), loc)
    else:
        fallback = str(loc.interval_formats[None])
        text = fallback.replace("{0}", _row_text(local_start, loc, today)).replace(
            "{1}", _row_text(local_end, loc, today)
        )
    return _native_digits(f"{text} {zone_label(zone_name, start, loc)}", loc)


def day(value: date, locale: LocaleLike) -> str:
    """A date alone: '12 Jul 2026', 'Jul 12, 2026', '12. jul 2026.'."""
    loc = as_locale(locale)
    return _native_digits(dates.format_skeleton("yMMMd", value, locale=loc), loc)


def day_heading(value: date, locale: LocaleLike) -> str:
    """A date as a heading: 'Sunday, 12 July 2026'."""
    loc = as_locale(locale)
    return _native_digits(dates.format_date(value, "full", locale=loc), loc)


def day_span(first: date, last: date, locale: LocaleLike) -> str:
    """A run of days: '1–15 Mar 2026', 'Mar 1 – 15, 2026' (CLDR's interval for the locale)."""
    loc = as_locale(locale)
    return _native_digits(dates.format_interval(first, last, "yMMMd", locale=loc), loc)


def month(first_day: date, locale: LocaleLike, *, short: bool = False) -> str:
    """A calendar month, for reports: 'March 2026' ('Mar 2026' when `short`, as for a chart's axis)."""
    loc = as_locale(locale)
    return _native_digits(dates.format_skeleton("yMMM" if short else "yMMMM", first_day, locale=loc), loc)


def duration(length: timedelta, locale: LocaleLike) -> str:
    """A length of time, the one way every page, message and report writes one: days (from a day
    on), hours and minutes, CLDR's short units in the reader's language: '1 hr, 30 min',
    '1 sat i 30 min', '45 min', '2 days, 3 hr, 10 min'. Never rounded to the hour; seconds dropped."""
    loc = as_locale(locale)
    total_minutes = max(0, int(length.total_seconds() // 60))
    days, rest = divmod(total_minutes, MINUTES_PER_DAY)
    hours, minutes = divmod(rest, MINUTES_PER_HOUR)
    parts = [
        units.format_unit(value, unit, length="short", locale=loc, numbering_system="default")
        for value, unit in ((days, "duration-day"), (hours, "duration-hour"), (minutes, "duration-minute"))
        if value
    ] or [units.format_unit(0, "duration-minute", length="short", locale=loc, numbering_system="default")]
    # Some locales lack CLDR's unit patterns for two items (ar: Babel then repeats an item) or for
    # three (sq: Babel fails): their standard list patterns join the units then.
    needed = {"2"} if len(parts) == 2 else {"start", "end"} if len(parts) > 2 else set()  # noqa: PLR2004
    complete = needed <= set(loc.list_patterns.get("unit-short", {}))
    text = lists.format_list(parts, style="unit-short" if complete else "standard", locale=loc)
    return _native_digits(text, loc)


def waited(length: timedelta, locale: LocaleLike) -> str:
    """How long someone has waited: in seconds ('40 sec') under a minute, else as `duration` writes it."""
    if length >= timedelta(minutes=1):
        return duration(length, locale)
    loc = as_locale(locale)
    seconds = max(0, int(length.total_seconds()))
    text = units.format_unit(seconds, "duration-second", length="short", locale=loc, numbering_system="default")
    return _native_digits(text, loc)


def _fixed(pattern_text: str, fraction_digits: int | None) -> numbers.NumberPattern:
    pattern = numbers.parse_pattern(pattern_text)
    if fraction_digits is not None:
        pattern.frac_prec = (fraction_digits, fraction_digits)
    return pattern


def number(value: Number, locale: LocaleLike, fraction_digits: int | None = None) -> str:
    """A number with the locale's separators and digits: '1,234.5', '1.234,5', '۱٬۲۳۴٫۵'."""
    loc = as_locale(locale)
    pattern = _fixed(str(loc.decimal_formats[None].pattern), fraction_digits)
    return _native_digits(pattern.apply(value, loc, numbering_system="default"), loc)


def percent(fraction: Number, locale: LocaleLike, fraction_digits: int = 1) -> str:
    """A share (0..1) as the locale writes a percentage: '82.5%', '%82,5', '82,5 %'."""
    loc = as_locale(locale)
    pattern = _fixed(str(loc.percent_formats[None].pattern), fraction_digits)
    return _native_digits(pattern.apply(fraction, loc, numbering_system="default"), loc)


def money(amount: Number, currency: str, locale: LocaleLike) -> str:
    """An amount in `currency` (ISO 4217), as the locale writes it: '€1,234.50', '1.234,50 €'."""
    loc = as_locale(locale)
    return _native_digits(numbers.format_currency(amount, currency, locale=loc, numbering_system="default"), loc)


Formatter = Callable[[Number], str]


def number_formatter(locale: LocaleLike, fraction_digits: int | None = None) -> Formatter:
    """`number` bound to a locale, for code that formats many values (a chart's labels)."""
    return lambda value: number(value, locale, fraction_digits)


def enumeration(items: list[str], locale: LocaleLike) -> str:
    """Several things in a sentence, joined as the locale joins them: 'trauma, children and legal'."""
    return lists.format_list(items, style="standard", locale=as_locale(locale))
