"""The toll-fraud guard rings only personal numbers in the countries on the list, a limited
number of times; the numbering plans (phonenumbers) say a number's country and kind."""

from __future__ import annotations

import pytest

from rris.phone.domain.toll_guard import (
    BOOKING_CAP,
    COUNTRY_NOT_ALLOWED,
    DAILY_CAP,
    NUMBER_TYPE,
    Caps,
    NumberCheck,
    cap_reached,
    check_number,
    is_region,
    number_tail,
    region_of,
)

POOL = frozenset({"AL", "BA", "XK", "ME", "MK", "RS", "TR"})
WITH_INTERPRETERS = POOL | {"AF", "IR", "PK"}


@pytest.mark.parametrize(
    ("number", "region"),
    [
        ("+381641234567", "RS"),
        ("+38267123456", "ME"),
        ("+38344123456", "XK"),
        ("+38761123456", "BA"),
        ("+38970123456", "MK"),
        ("+355691234567", "AL"),
        ("+905321234567", "TR"),
        ("+381111234567", "RS"),  # a Belgrade landline
        ("+93701234567", "AF"),
        ("+989121234567", "IR"),
        ("+923001234567", "PK"),
    ],
)
def test_a_mobile_or_landline_in_a_listed_country_may_be_rung(number, region):
    assert check_number(number, WITH_INTERPRETERS) == NumberCheck(region, None)


def test_a_valid_number_in_a_country_not_on_the_list_is_refused_naming_its_country():
    check = check_number("+93701234567", POOL)
    assert (check.region, check.refusal) == ("AF", COUNTRY_NOT_ALLOWED)
    assert check_number("+385911234567", POOL).refusal == COUNTRY_NOT_ALLOWED  # Croatia: not a pool country


@pytest.mark.parametrize(
    "number",
    ["+38190012345", "+909001234567", "+449012345678", "+18005550100", "+882161234567"],
    ids=["serbian-premium", "turkish-premium", "uk-premium", "toll-free", "satellite"],
)
def test_premium_shared_cost_and_other_non_personal_numbers_are_refused_wherever_they_are(number):
    assert check_number(number, WITH_INTERPRETERS | {"GB", "US"}).refusal == NUMBER_TYPE


@pytest.mark.parametrize(
    "number",
    ["381641234567", "+38012345678", "+9012", "+3816412345670000", "", None, "+381 64 12x"],
    ids=["no-plus", "no-such-number", "too-short", "too-long", "empty", "none", "letters"],
)
def test_what_is_not_a_valid_number_is_never_rung(number):
    assert check_number(number, WITH_INTERPRETERS | {"UA"}).refusal == NUMBER_TYPE
    assert region_of(number) is None


def test_an_empty_list_allows_nothing():
    assert check_number("+381641234567", ()).refusal == COUNTRY_NOT_ALLOWED


def test_country_codes_are_two_letter_codes_with_a_numbering_plan():
    assert is_region("AF") and is_region("XK")
    assert not is_region("af") and not is_region("ZZ") and not is_region("001") and not is_region("")


def test_the_booking_cap_counts_every_leg_of_the_booking():
    caps = Caps(per_booking=6, per_day=200)
    assert cap_reached(caps, legs_of_booking=5, legs_last_day=5) is None
    assert cap_reached(caps, legs_of_booking=6, legs_last_day=6) == BOOKING_CAP


def test_the_daily_cap_counts_every_booking():
    caps = Caps(per_booking=6, per_day=200)
    assert cap_reached(caps, legs_of_booking=0, legs_last_day=199) is None
    assert cap_reached(caps, legs_of_booking=0, legs_last_day=200) == DAILY_CAP


def test_the_booking_cap_is_named_first_when_both_are_reached():
    assert cap_reached(Caps(per_booking=1, per_day=1), 1, 1) == BOOKING_CAP


def test_caps_allow_at_least_one_call():
    with pytest.raises(ValueError):
        Caps(per_booking=0, per_day=10)
    with pytest.raises(ValueError):
        Caps(per_booking=1, per_day=0)


def test_only_the_last_four_digits_are_kept():
    assert number_tail("+381641234567") == "4567"
    assert number_tail("+381 64 123-45 67") == "4567"
    assert number_tail("anonymous") == ""
    assert number_tail(None) == ""
