"""Eligibility rules: each named rejection, all of them together, and the zone maths behind them."""

from __future__ import annotations

from datetime import date

import pytest

from rris.enums import Gender, GenderRule, Proficiency, Specialisation
from rris.matching.domain.rules import Rejection, RejectionReason, evaluate
from rris.matching.domain.snapshots import AccreditationPeriod, Commitment
from tests.matching.test_builders import (
    NORTH_MACEDONIA,
    NOW,
    SERBIA,
    belgrade,
    job,
    local,
    make_candidate,
    make_request,
    span,
    utc,
    windows,
)

R = RejectionReason
MONDAY, TUESDAY, SUNDAY = 0, 1, 6


def reasons(candidate, request) -> list[RejectionReason]:
    return [rejection.reason for rejection in evaluate(candidate, request, NOW)]


def only(candidate, request) -> Rejection:
    (rejection,) = evaluate(candidate, request, NOW)
    return rejection


def test_an_inactive_interpreter_is_rejected_as_inactive():
    assert reasons(make_candidate(active=False), make_request()) == [R.INACTIVE]
    assert only(make_candidate(active=False), make_request()) == Rejection(R.INACTIVE)


def test_a_language_pair_counts_in_either_direction():
    candidate = make_candidate(pairs={frozenset({"eng", "pus"}): Proficiency.C1})
    assert reasons(candidate, make_request(applicant_language="pus", officer_language="eng")) == []
    assert reasons(candidate, make_request(applicant_language="eng", officer_language="pus")) == []


def test_an_interpreter_without_the_pair_is_rejected_and_told_which_pair():
    rejection = only(make_candidate(), make_request(officer_language="mkd"))
    assert rejection.reason is R.NO_LANGUAGE_PAIR
    assert rejection.values == {"applicant_language": "pus", "officer_language": "mkd"}


def test_a_requested_dialect_must_be_among_the_interpreters_dialects_of_that_language():
    request = make_request(dialect="Kandahari")
    assert reasons(make_candidate(dialects=frozenset({("pus", "Kandahari")})), request) == []
    assert reasons(make_candidate(dialects=frozenset({("pus", "Wardak")})), request) == [R.NO_DIALECT]
    assert reasons(make_candidate(dialects=frozenset({("prs", "Kandahari")})), request) == [R.NO_DIALECT]
    assert only(make_candidate(), request).values == {"language": "pus", "dialect": "Kandahari"}


def test_accreditation_must_be_for_the_booking_country():
    candidate = make_candidate(
        accreditations=(AccreditationPeriod(NORTH_MACEDONIA, date(2025, 1, 1), date(2027, 1, 1)),)
    )
    rejection = only(candidate, make_request())
    assert rejection.reason is R.NOT_ACCREDITED
    assert rejection.values == {"country_id": SERBIA, "date": date(2026, 1, 12)}


def test_accreditation_bounds_are_inclusive():
    on_the_day = (AccreditationPeriod(SERBIA, date(2026, 1, 12), date(2026, 1, 12)),)
    expired = (AccreditationPeriod(SERBIA, date(2025, 1, 1), date(2026, 1, 11)),)
    assert reasons(make_candidate(accreditations=on_the_day), make_request()) == []
    assert reasons(make_candidate(accreditations=expired), make_request()) == [R.NOT_ACCREDITED]


def test_accreditation_is_judged_on_the_session_date_in_the_booking_country_not_in_utc():
    # 00:30 Tuesday in Belgrade is still Monday in UTC; accreditation starting Tuesday covers it.
    request = make_request(interval=span(belgrade(2026, 1, 13, 0, 30)))
    from_tuesday = (AccreditationPeriod(SERBIA, date(2026, 1, 13), date(2026, 12, 31)),)
    candidate = make_candidate(accreditations=from_tuesday, windows=windows(range(7), 0, 24))
    assert request.interval.start.date() == date(2026, 1, 12)
    assert reasons(candidate, request) == []


def test_an_interpreter_in_kabul_is_available_for_9_belgrade_in_winter_but_not_for_6_belgrade():
    candidate = make_candidate(windows=windows((MONDAY,), 10, 18))
    assert reasons(candidate, make_request(interval=span(belgrade(2026, 1, 12, 9)))) == []  # 12:30 in Kabul
    request = make_request(interval=span(belgrade(2026, 1, 12, 6)))  # 09:30 in Kabul
    rejection = only(candidate, request)
    assert rejection.reason is R.OUTSIDE_AVAILABILITY
    assert rejection.values == {"timezone": "Asia/Kabul", "start": utc(2026, 1, 12, 5), "end": utc(2026, 1, 12, 7)}


def test_9_belgrade_is_half_past_11_in_kabul_in_summer_so_a_noon_start_interpreter_cannot_take_it():
    candidate = make_candidate(windows=windows((MONDAY,), 12, 18))
    assert reasons(candidate, make_request(interval=span(belgrade(2026, 1, 12, 9)))) == []
    assert reasons(candidate, make_request(interval=span(belgrade(2026, 6, 15, 9)))) == [R.OUTSIDE_AVAILABILITY]
    assert reasons(candidate, make_request(interval=span(belgrade(2026, 6, 15, 10)))) == []


@pytest.mark.parametrize("month", [1, 7])
def test_an_interpreter_in_istanbul_keeps_utc_plus_3_all_year(month):
    candidate = make_candidate(timezone="Europe/Istanbul", windows=windows(range(7), 11, 13))
    assert reasons(candidate, make_request(interval=span(utc(2026, month, 13, 8)))) == []
    assert reasons(candidate, make_request(interval=span(utc(2026, month, 13, 9)))) == [R.OUTSIDE_AVAILABILITY]


def test_an_interpreter_in_belgrade_needs_no_window_for_the_hour_skipped_on_the_spring_forward_night():
    request = make_request(interval=span(utc(2026, 3, 29, 0, 30)))  # 01:30 CET to 04:30 CEST
    night = make_candidate(timezone="Europe/Belgrade", windows=windows((SUNDAY,), 1, 2) + windows((SUNDAY,), 3, 5))
    short = make_candidate(timezone="Europe/Belgrade", windows=windows((SUNDAY,), 1, 4))
    assert reasons(night, request) == []
    assert reasons(short, request) == [R.OUTSIDE_AVAILABILITY]


def test_on_the_fall_back_night_a_window_over_the_repeated_hour_covers_both_passes_and_the_cap_sees_120_minutes():
    request = make_request(interval=span(utc(2026, 10, 25, 0)))  # 02:00 CEST to 02:00 CET
    candidate = make_candidate(timezone="Europe/Belgrade", windows=windows((SUNDAY,), 2, 3), daily_cap_minutes=120)
    assert reasons(candidate, request) == []
    assert reasons(make_candidate(timezone="Europe/Belgrade", windows=windows((SUNDAY,), 2, 2.5)), request) == [
        R.OUTSIDE_AVAILABILITY
    ]


def test_a_session_across_local_midnight_needs_windows_on_both_days():
    request = make_request(interval=span(utc(2026, 1, 12, 19)))  # 23:30 Monday to 01:30 Tuesday in Kabul
    both = windows((MONDAY,), 20, 24) + windows((TUESDAY,), 0, 2)
    assert reasons(make_candidate(windows=both), request) == []
    assert reasons(make_candidate(windows=windows((MONDAY,), 20, 24)), request) == [R.OUTSIDE_AVAILABILITY]
    assert reasons(make_candidate(windows=windows((TUESDAY,), 0, 2)), request) == [R.OUTSIDE_AVAILABILITY]


def test_time_off_overlapping_the_session_rejects_but_time_off_ending_as_it_starts_does_not():
    request = make_request()
    overlapping = make_candidate(time_off=(span(utc(2026, 1, 12, 9), 60 * 24),))
    before = make_candidate(time_off=(span(utc(2026, 1, 11, 8), 60 * 24),))
    assert reasons(overlapping, request) == [R.TIME_OFF]
    assert only(overlapping, request).values == {"start": utc(2026, 1, 12, 9), "end": utc(2026, 1, 13, 9)}
    assert reasons(before, request) == []


def test_a_job_ending_at_10_with_a_15_minute_rest_gap_blocks_a_10_25_start_and_allows_10_30():
    # Each job holds her rest gap on both sides, as the database stores it: busy until 10:15, and
    # the next session's busy interval begins 15 minutes before it starts.
    candidate = make_candidate(commitments=(job(17, utc(2026, 1, 12, 8), 120),), rest_gap_minutes=15)
    rejection = only(candidate, make_request(interval=span(utc(2026, 1, 12, 10, 25), 60)))
    assert rejection.reason is R.OVERLAPPING_JOB
    assert rejection.values == {"booking_id": 17, "rest_gap_minutes": 15}
    assert reasons(candidate, make_request(interval=span(utc(2026, 1, 12, 10, 30), 60))) == []


def test_a_job_is_as_busy_as_its_assignment_stores_it_even_after_she_changes_her_rest_gap():
    # Assigned while her gap was 0; now it is 15: only the new session is widened by it.
    candidate = make_candidate(commitments=(job(19, utc(2026, 1, 12, 8), 120, rest_gap_minutes=0),))
    assert reasons(candidate, make_request(interval=span(utc(2026, 1, 12, 10, 10), 60))) == [R.OVERLAPPING_JOB]
    assert reasons(candidate, make_request(interval=span(utc(2026, 1, 12, 10, 15), 60))) == []


def test_an_on_demand_call_holds_no_rest_gap_of_its_own_but_a_scheduled_job_keeps_hers():
    # An on-demand call just ended at 10:00 holding only itself; the next call may start at once.
    call = Commitment(31, span(utc(2026, 1, 12, 9), 60), span(utc(2026, 1, 12, 9), 60))
    candidate = make_candidate(commitments=(call,), rest_gap_minutes=15)
    right_after = span(utc(2026, 1, 12, 10), 60)
    assert reasons(candidate, make_request(interval=right_after, holds_rest_gap=False)) == []
    assert reasons(candidate, make_request(interval=right_after)) == [R.OVERLAPPING_JOB]
    # A scheduled job ending at 10:00 still holds her gap until 10:15, on demand or not.
    scheduled = make_candidate(commitments=(job(32, utc(2026, 1, 12, 8), 120),), rest_gap_minutes=15)
    assert reasons(scheduled, make_request(interval=right_after, holds_rest_gap=False)) == [R.OVERLAPPING_JOB]


def test_the_rest_gap_also_applies_before_a_later_job():
    candidate = make_candidate(commitments=(job(18, utc(2026, 1, 12, 10, 5)),), rest_gap_minutes=15)
    assert reasons(candidate, make_request()) == [R.OVERLAPPING_JOB]


def test_each_overlapping_job_is_named():
    jobs = (job(21, utc(2026, 1, 12, 7, 30), 60), job(22, utc(2026, 1, 12, 9, 30), 60))
    rejections = evaluate(make_candidate(commitments=jobs), make_request(), NOW)
    assert [r.values["booking_id"] for r in rejections] == [21, 22]


def test_re_matching_a_booking_ignores_its_own_commitment():
    candidate = make_candidate(commitments=(job(30, utc(2026, 1, 12, 8)),))
    assert reasons(candidate, make_request()) == [R.OVERLAPPING_JOB]
    assert reasons(candidate, make_request(booking_id=30)) == []


def test_the_daily_cap_counts_jobs_on_the_interpreters_local_day_not_the_utc_day():
    jobs = (
        job(41, utc(2026, 1, 11, 18, 30), 120),  # 23:00 Sunday to 01:00 Monday in Kabul: 60 minutes on Monday
        job(42, utc(2026, 1, 12, 3), 180),  # 07:30 to 10:30 Monday in Kabul
    )
    candidate = make_candidate(commitments=jobs, daily_cap_minutes=360, windows=windows(range(7), 0, 24))
    assert reasons(candidate, make_request(interval=span(utc(2026, 1, 12, 8), 120))) == []  # 240 + 120 = 360
    rejection = only(candidate, make_request(interval=span(utc(2026, 1, 12, 8), 150)))
    assert rejection.reason is R.DAILY_CAP
    assert rejection.values == {
        "date": date(2026, 1, 12),
        "booked_minutes": 240,
        "session_minutes": 150,
        "cap_minutes": 360,
    }


def test_a_session_longer_than_the_daily_cap_is_over_it_even_without_other_jobs():
    assert reasons(make_candidate(daily_cap_minutes=90), make_request()) == [R.DAILY_CAP]


def test_a_session_across_local_midnight_counts_towards_each_local_day_separately():
    # A Kabul night job of 300 minutes on Monday; the session puts 30 minutes on Monday, 90 on Tuesday.
    candidate = make_candidate(
        commitments=(job(51, local("Asia/Kabul", 2026, 1, 12, 9), 300),),
        windows=windows(range(7), 0, 24),
        daily_cap_minutes=330,
    )
    request = make_request(interval=span(utc(2026, 1, 12, 19)))  # 23:30 Monday to 01:30 Tuesday in Kabul
    assert reasons(candidate, request) == []
    tighter = make_candidate(
        commitments=candidate.commitments, windows=candidate.windows, daily_cap_minutes=329, interpreter_id=2
    )
    assert [r.values["date"] for r in evaluate(tighter, request, NOW)] == [date(2026, 1, 12)]


def test_a_required_gender_rejects_the_other_gender():
    request = make_request(gender=Gender.FEMALE, gender_rule=GenderRule.REQUIRED)
    assert reasons(make_candidate(gender=Gender.FEMALE), request) == []
    rejection = only(make_candidate(gender=Gender.MALE), request)
    assert rejection.reason is R.GENDER
    assert rejection.values == {"required": "female"}


def test_a_preferred_gender_never_rejects():
    request = make_request(gender=Gender.FEMALE, gender_rule=GenderRule.PREFERRED)
    assert reasons(make_candidate(gender=Gender.MALE), request) == []


def test_missing_specialisations_are_named():
    request = make_request(specialisations=frozenset({Specialisation.TRAUMA, Specialisation.CHILDREN}))
    rejection = only(make_candidate(specialisations=frozenset({Specialisation.TRAUMA})), request)
    assert rejection.reason is R.SPECIALISATION
    assert rejection.values == {"missing": "children"}
    both = frozenset({Specialisation.TRAUMA, Specialisation.CHILDREN, Specialisation.LEGAL})
    assert reasons(make_candidate(specialisations=both), request) == []


def test_an_interpreter_the_applicant_objected_to_is_rejected():
    request = make_request(objected_interpreter_ids=frozenset({1}))
    assert reasons(make_candidate(1), request) == [R.OBJECTED_BY_APPLICANT]
    assert reasons(make_candidate(2), request) == []
    assert only(make_candidate(1), request) == Rejection(R.OBJECTED_BY_APPLICANT)


def hopeless_case():
    """A request and an interpreter failing every rule at once."""
    request = make_request(
        officer_language="mkd",
        dialect="Kandahari",
        gender=Gender.FEMALE,
        gender_rule=GenderRule.REQUIRED,
        specialisations=frozenset({Specialisation.CHILDREN}),
        objected_interpreter_ids=frozenset({9}),
    )
    candidate = make_candidate(
        9,
        active=False,
        gender=Gender.MALE,
        accreditations=(),
        windows=windows((TUESDAY,), 8, 18),
        time_off=(span(utc(2026, 1, 12, 7), 240),),
        commitments=(job(77, utc(2026, 1, 12, 9)),),
        daily_cap_minutes=60,
    )
    return candidate, request


def test_every_reason_that_applies_is_reported_together_in_a_stable_order():
    candidate, request = hopeless_case()
    assert reasons(candidate, request) == list(RejectionReason)


def test_every_reason_carries_values_not_sentences():
    candidate, request = hopeless_case()
    for rejection in evaluate(candidate, request, NOW):
        for name, value in rejection.params:
            assert isinstance(value, str | int | date), (rejection.reason, name)
            assert not (isinstance(value, str) and " " in value), (rejection.reason, name)  # a code, not prose


def test_first_only_stops_at_the_cheapest_reason():
    candidate, request = hopeless_case()
    assert reasons(candidate, request)[0] is R.INACTIVE
    assert evaluate(candidate, request, NOW, first_only=True) == (Rejection(R.INACTIVE),)


def test_the_rules_do_not_read_the_clock():
    candidate, request = hopeless_case()
    assert evaluate(candidate, request, utc(2000, 1, 1)) == evaluate(candidate, request, utc(2100, 1, 1))
