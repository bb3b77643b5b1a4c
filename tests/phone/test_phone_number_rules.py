"""A typed number is read by the numbering plans: kept in E.164 when it is a mobile number,
refused with the problem otherwise; and what entry keeps, the telephone fallback may ring."""

from __future__ import annotations

import pytest
from phonenumbers import PhoneNumberType

from rris.phone.domain.phone_numbers import PhoneNumberRefused, PhoneProblem, read_phone_number
from rris.phone.domain.toll_guard import check_number

AS_PEOPLE_WRITE_THEM = [
    ("+93 70 123 4567", "+93701234567"),
    ("0093 70 123 4567", "+93701234567"),
    ("0093 (0)70 123 4567", "+93701234567"),
    ("(+93) 70-123-4567", "+93701234567"),
    ("+98 912 123 4567", "+989121234567"),
    ("+92 300 1234567", "+923001234567"),
    ("+90 532 123 45 67", "+905321234567"),
    ("+381 (0)64 123 4567", "+381641234567"),
    ("+383 44 123 456", "+38344123456"),
    ("+44 7400 123456", "+447400123456"),
    ("+۹۳ ۷۰ ۱۲۳ ۴۵۶۷", "+93701234567"),
    ("+٩٦٤ ٧٧٠ ١٢٣ ٤٥٦٧", "+9647701234567"),
]


@pytest.mark.parametrize(("typed", "stored"), AS_PEOPLE_WRITE_THEM)
def test_a_mobile_number_in_international_form_is_kept_in_e164(typed, stored):
    assert read_phone_number(typed) == stored


@pytest.mark.parametrize(("typed", "stored"), AS_PEOPLE_WRITE_THEM)
def test_every_number_entry_keeps_is_one_the_telephone_fallback_may_ring(typed, stored):
    regions = {"AF", "IR", "PK", "TR", "RS", "XK", "GB", "IQ"}
    assert check_number(read_phone_number(typed), regions).refusal is None


@pytest.mark.parametrize(
    ("typed", "problem", "country_code", "kind"),
    [
        (None, PhoneProblem.EMPTY, None, None),
        ("   ", PhoneProblem.EMPTY, None, None),
        ("+381 64 123 456x", PhoneProblem.CHARACTERS, None, None),
        ("+381 64 1234567 ext. 12", PhoneProblem.CHARACTERS, None, None),
        ("+381+641234567", PhoneProblem.CHARACTERS, None, None),
        ("tel:+381641234567", PhoneProblem.CHARACTERS, None, None),
        ("070 123 4567", PhoneProblem.NO_COUNTRY_CODE, None, None),
        ("+999 123 456 789", PhoneProblem.UNKNOWN_COUNTRY_CODE, None, None),
        ("+12345678", PhoneProblem.TOO_SHORT, 1, None),
        ("+93 70 123 456", PhoneProblem.TOO_SHORT, 93, None),
        ("+3816412345670000", PhoneProblem.TOO_LONG, 381, None),
        ("+93 99 123 4567", PhoneProblem.NOT_VALID, 93, None),  # the right length, no such range
        ("+381 900 12345", PhoneProblem.NOT_MOBILE, 381, PhoneNumberType.PREMIUM_RATE),
        ("+90 900 123 45 67", PhoneProblem.NOT_MOBILE, 90, PhoneNumberType.PREMIUM_RATE),
        ("+44 901 234 5678", PhoneProblem.NOT_MOBILE, 44, PhoneNumberType.PREMIUM_RATE),
        ("+1 800 555 0100", PhoneProblem.NOT_MOBILE, 1, PhoneNumberType.TOLL_FREE),
        ("+882 16 1234567", PhoneProblem.NOT_MOBILE, 882, PhoneNumberType.VOIP),
        ("+381 11 123 4567", PhoneProblem.NOT_MOBILE, 381, PhoneNumberType.FIXED_LINE),
    ],
)
def test_a_number_that_is_not_a_mobile_is_refused_with_its_problem(typed, problem, country_code, kind):
    with pytest.raises(PhoneNumberRefused) as refused:
        read_phone_number(typed)
    assert (refused.value.problem, refused.value.country_code, refused.value.kind) == (problem, country_code, kind)
