"""Toll-fraud guard of the telephone fallback: which numbers may be rung, and how many calls.

RRIS pays for every call it places, so a stolen session must not turn it into a dialler of
premium or far-away numbers: only personal numbers (mobile or fixed line, as the numbering plan
of the number's country classifies them) in the countries coordinators allow, and a cap per
booking and per day whoever asks. Pure: the caller supplies the list and counts the legs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from phonenumbers import PhoneNumberType

from rris.phone.domain.phone_numbers import parse_e164

DAILY_WINDOW = timedelta(hours=24)
TAIL_DIGITS = 4

# Refusal codes, shared with the signalling service and the call page.
BOOKING_CAP = "booking_cap"
DAILY_CAP = "daily_cap"
COUNTRY_NOT_ALLOWED = "country_not_allowed"
NUMBER_TYPE = "number_type"  # premium rate, shared cost, toll free, VoIP, pager... or not a valid number

# The kinds of number a person answers; every other kind (premium rate, shared cost, UAN,
# personal numbering, VoIP, pager, voicemail, unknown) is where toll fraud makes its money.
CALLABLE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


@dataclass(frozen=True)
class NumberCheck:
    """What the numbering plans say of a number: its country (None when it is not a valid
    number of any country) and whether RRIS may call it (`refusal` None) or why not."""

    region: str | None
    refusal: str | None


def region_of(number: str | None) -> str | None:
    """The ISO 3166 alpha-2 country of a valid E.164 number, else None ("+93 70..." -> "AF")."""
    parsed = parse_e164(number)
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return region if is_region(region) else None


def is_region(code: str | None) -> bool:
    """True for a two-letter country code that has a telephone numbering plan ("AF", "XK")."""
    return bool(code) and len(code) == 2 and code in phonenumbers.SUPPORTED_REGIONS  # type: ignore[arg-type]


def check_number(number: str | None, callable_regions: Collection[str]) -> NumberCheck:
    """Whether `number` may be rung: a valid personal number in one of `callable_regions`."""
    parsed = parse_e164(number)
    region = region_of(number)
    if parsed is None or region is None or phonenumbers.number_type(parsed) not in CALLABLE_TYPES:
        return NumberCheck(region, NUMBER_TYPE)
    if region not in callable_regions:
        return NumberCheck(region, COUNTRY_NOT_ALLOWED)
    return NumberCheck(region, None)


@dataclass(frozen=True)
class Caps:
    """How many telephone legs one booking, and all bookings in 24 hours, may have."""

    per_booking: int
    per_day: int

    def __post_init__(self) -> None:
        if self.per_booking < 1 or self.per_day < 1:
            raise ValueError("caps must allow at least one call")


def cap_reached(caps: Caps, legs_of_booking: int, legs_last_day: int) -> str | None:
    """BOOKING_CAP or DAILY_CAP when one more leg would exceed a cap, else None.

    `legs_of_booking` counts every leg of the booking so far, `legs_last_day` every leg of
    any booking requested in the last DAILY_WINDOW; failed and unanswered legs count too,
    since each attempt is a call placed.
    """
    if legs_of_booking >= caps.per_booking:
        return BOOKING_CAP
    if legs_last_day >= caps.per_day:
        return DAILY_CAP
    return None


def number_tail(number: str | None) -> str:
    """The last four digits of a number: all of it that RRIS stores or logs; "" without digits."""
    digits = "".join(character for character in number or "" if character.isdigit())
    return digits[-TAIL_DIGITS:]
