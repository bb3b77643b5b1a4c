"""Toll-fraud guard of the telephone fallback: which numbers may be rung, and how many calls.

RRIS pays for every call it places, so a stolen session must not turn it into a dialler of
premium or far-away numbers: only numbers in the countries the operator allowed, and a cap
per booking and per day whoever asks. Pure: the caller counts the legs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

DAILY_WINDOW = timedelta(hours=24)
TAIL_DIGITS = 4
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")

# Refusal codes, shared with the signalling service and the call page.
BOOKING_CAP = "booking_cap"
DAILY_CAP = "daily_cap"


@dataclass(frozen=True)
class Caps:
    """How many telephone legs one booking, and all bookings in 24 hours, may have."""

    per_booking: int
    per_day: int

    def __post_init__(self) -> None:
        if self.per_booking < 1 or self.per_day < 1:
            raise ValueError("caps must allow at least one call")


def allowed(number: str, prefixes: Iterable[str]) -> bool:
    """True when `number` is a well-formed E.164 number starting with one of `prefixes`."""
    if not isinstance(number, str) or not _E164.fullmatch(number):
        return False
    return any(prefix and number.startswith(prefix) for prefix in prefixes)


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
