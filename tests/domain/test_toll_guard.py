"""The toll-fraud guard rings only numbers in allowed countries, a limited number of times."""

from __future__ import annotations

import pytest

from rris.domain.toll_guard import BOOKING_CAP, DAILY_CAP, Caps, allowed, cap_reached, number_tail
from rris.settings import DEFAULT_PHONE_PREFIXES

REGION = tuple(DEFAULT_PHONE_PREFIXES.split(","))


@pytest.mark.parametrize(
    "number",
    [
        "+381641234567",
        "+38267123456",
        "+38344123456",
        "+385911234567",
        "+38761123456",
        "+38970123456",
        "+355691234567",
        "+905321234567",
    ],
    ids=["serbia", "montenegro", "kosovo", "croatia", "bosnia", "north-macedonia", "albania", "turkiye"],
)
def test_a_mobile_in_each_country_of_the_region_may_be_rung(number):
    assert allowed(number, REGION)


@pytest.mark.parametrize(
    "number",
    ["+18005550100", "+882161234567", "+2399912345", "+38012345678", "+9012"],
    ids=["north-america", "satellite", "sao-tome-premium", "ukraine-shares-the-+38-digits", "too-short"],
)
def test_numbers_outside_the_allowed_prefixes_are_refused(number):
    assert not allowed(number, REGION)


@pytest.mark.parametrize(
    "number",
    ["381641234567", "+381 64 123 4567", "+381-64-1234567", "", None, "+3816412345670000"],
    ids=["no-plus", "spaces", "dashes", "empty", "none", "too-long"],
)
def test_only_well_formed_e164_numbers_pass(number):
    assert not allowed(number, REGION)


def test_an_operator_adds_an_interpreters_country():
    assert not allowed("+436641234567", REGION)
    assert allowed("+436641234567", (*REGION, "+43"))


def test_no_prefixes_allow_nothing():
    assert not allowed("+381641234567", ())
    assert not allowed("+381641234567", ("",))


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
