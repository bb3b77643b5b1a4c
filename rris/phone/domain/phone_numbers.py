"""Reading a telephone number as a person types it: the numbering plans decide, not a pattern.

A number is entered in international form, as people write it ("+93 70 123 4567",
"0093 70-123-4567", "(+381) 64/123.45.67", "+381 (0)64 ..."), and stored in E.164
("+93701234567"). The numbering plan of its country (Google's libphonenumber, `phonenumbers`)
says whether it is a real number and of which kind: RRIS keeps only numbers that receive SMS
and calls (mobiles), so a verification code can reach it and the telephone fallback can ring
it, never a premium-rate, shared-cost or other number that costs the caller or reaches no one.
Pure: the caller words the refusal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

# What may separate the digits as people write numbers; letters never (no vanity numbers, no
# extensions: a mobile has none, and a dropped letter would silently change the number).
SEPARATORS = frozenset(" \t\u00a0-.()/")
INTERNATIONAL_PREFIX = "00"  # what most of the world dials before a country code, in place of "+"
# Kinds of number that receive SMS and calls: what the profile's mobile number must be.
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneProblem(StrEnum):
    """Why a typed number is refused."""

    EMPTY = "empty"
    CHARACTERS = "characters"  # letters or symbols other than digits and separators
    NO_COUNTRY_CODE = "no_country_code"  # written as dialled at home, without + or 00
    UNKNOWN_COUNTRY_CODE = "unknown_country_code"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_VALID = "not_valid"  # the right length, but no number of its country looks like it
    NOT_MOBILE = "not_mobile"  # a valid number of a kind that does not receive SMS and calls


@dataclass
class PhoneNumberRefused(ValueError):
    """A typed number RRIS does not keep: the problem, the country calling code when one was read
    (93 for Afghanistan) and, for NOT_MOBILE, the kind of number it is (`PhoneNumberType`)."""

    problem: PhoneProblem
    country_code: int | None = None
    kind: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.problem.value)


def read_phone_number(typed: str | None) -> str:
    """The E.164 form of a mobile number typed in international form, else PhoneNumberRefused."""
    # Digits of any script ("+۹۳ ۷۰ ...", as a Persian or Arabic keyboard types them) as ASCII.
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in (typed or "").strip())
    if not text:
        raise PhoneNumberRefused(PhoneProblem.EMPTY)
    compact = "".join(character for character in text if character not in SEPARATORS)
    digits = compact.removeprefix("+")
    if digits and not digits.isdigit():
        raise PhoneNumberRefused(PhoneProblem.CHARACTERS)
    if compact.startswith(INTERNATIONAL_PREFIX):
        # "00" stands for "+": drop the two zeros, keep what follows as typed ("0044 (0)20 ...").
        second_zero = text.index("0", text.index("0") + 1)
        text = "+" + text[second_zero + 1 :]
    elif not compact.startswith("+"):
        raise PhoneNumberRefused(PhoneProblem.NO_COUNTRY_CODE)
    try:
        number = phonenumbers.parse(text, None)
    except NumberParseException as problem:
        raise PhoneNumberRefused(_parse_problem(problem)) from None
    code = number.country_code
    if code is None or phonenumbers.region_code_for_country_code(code) == phonenumbers.UNKNOWN_REGION:
        raise PhoneNumberRefused(PhoneProblem.UNKNOWN_COUNTRY_CODE, code)
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberRefused(_length_problem(number), code)
    kind = phonenumbers.number_type(number)
    if kind not in MOBILE_TYPES:
        raise PhoneNumberRefused(PhoneProblem.NOT_MOBILE, code, kind)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def parse_e164(number: str | None) -> phonenumbers.PhoneNumber | None:
    """A stored E.164 number as the numbering plans read it, None when it is not one."""
    if not isinstance(number, str) or not number.startswith("+"):
        return None
    try:
        return phonenumbers.parse(number, None)
    except NumberParseException:
        return None


def _parse_problem(problem: NumberParseException) -> PhoneProblem:
    if problem.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        return PhoneProblem.UNKNOWN_COUNTRY_CODE
    if problem.error_type == NumberParseException.TOO_LONG:
        return PhoneProblem.TOO_LONG
    return PhoneProblem.TOO_SHORT  # "+", "+3": no number after the plus sign


def _length_problem(number: phonenumbers.PhoneNumber) -> PhoneProblem:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.TOO_LONG:
        return PhoneProblem.TOO_LONG
    if reason in (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return PhoneProblem.TOO_SHORT
    return PhoneProblem.NOT_VALID
