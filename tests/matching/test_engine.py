"""The engine: ranked matches with their explanation, every rejection named, deterministic order."""

from __future__ import annotations

import random

import pytest

from rris.enums import Gender, GenderRule, Proficiency
from rris.matching.domain.engine import match
from rris.matching.domain.ranking import FAIR_SHARE_FULL_MINUTES, ScoreBasis, score
from rris.matching.domain.rules import RejectionReason, evaluate
from tests.matching.test_builders import (
    NOW,
    generated_pool,
    local,
    make_candidate,
    make_request,
    span,
    windows,
)

PUS_ENG = frozenset({"pus", "eng"})


def components(candidate, request=None) -> dict[str, tuple[float, ScoreBasis, dict]]:
    return {c.name: (c.points, c.basis, c.values) for c in score(candidate, request or make_request())}


def ids(result) -> list[int]:
    return [m.interpreter_id for m in result.matches]


def test_continuity_outranks_proficiency_and_fair_share():
    returning = make_candidate(
        1, pairs={PUS_ENG: Proficiency.B2}, served_case_before=True, booked_minutes_last_30_days=4800
    )
    fresh_native = make_candidate(2, pairs={PUS_ENG: Proficiency.NATIVE})
    result = match(make_request(), [fresh_native, returning], NOW)
    assert ids(result) == [1, 2]
    best = result.matches[0]
    assert best.score == 40 + 5 + 0 + 10
    assert [(c.name, c.points) for c in best.components] == [
        ("continuity", 40),
        ("proficiency", 5),
        ("fair_share", 0),
        ("local_hour", 10),
        ("gender_preference", 0),
    ]
    assert best.components[0].basis is ScoreBasis.CONTINUITY_SERVED
    assert result.matches[1].score == 0 + 20 + 20 + 10


def test_the_interpreter_asked_for_by_name_gets_the_continuity_points():
    request = make_request(continuity_interpreter_id=5)
    assert components(make_candidate(5), request)["continuity"] == (40, ScoreBasis.CONTINUITY_REQUESTED, {})
    assert components(make_candidate(6), request)["continuity"] == (0, ScoreBasis.CONTINUITY_NEW, {})


def test_fair_share_puts_the_less_booked_of_two_equal_interpreters_first():
    busy = make_candidate(1, booked_minutes_last_30_days=3000)
    idle = make_candidate(2, booked_minutes_last_30_days=600)
    result = match(make_request(), [busy, idle], NOW)
    assert ids(result) == [2, 1]
    assert components(idle)["fair_share"] == (17.5, ScoreBasis.BOOKED_RECENTLY, {"minutes": 600})
    assert components(busy)["fair_share"] == (7.5, ScoreBasis.BOOKED_RECENTLY, {"minutes": 3000})
    assert components(make_candidate(booked_minutes_last_30_days=2 * FAIR_SHARE_FULL_MINUTES))["fair_share"][0] == 0
    assert components(make_candidate())["fair_share"] == (20, ScoreBasis.NOTHING_BOOKED, {})


@pytest.mark.parametrize(
    ("level", "points"),
    [(Proficiency.NATIVE, 20), (Proficiency.C2, 15), (Proficiency.C1, 10), (Proficiency.B2, 5)],
)
def test_proficiency_points_and_explanation(level, points):
    pair = {"applicant_language": "pus", "officer_language": "eng"}
    expected = (points, ScoreBasis.PROFICIENCY, {"level": level.value, **pair})
    assert components(make_candidate(pairs={PUS_ENG: level}))["proficiency"] == expected


def test_the_local_hour_rewards_sessions_in_the_interpreters_working_day():
    kabul = make_candidate()
    request = make_request()
    where = {"timezone": "Asia/Kabul", "start": request.interval.start, "end": request.interval.end}
    assert components(kabul, request)["local_hour"] == (10, ScoreBasis.LOCAL_HOURS, where)
    early = make_request(interval=span(local("Asia/Kabul", 2026, 1, 12, 7, 30)))
    evening = make_request(interval=span(local("Asia/Kabul", 2026, 1, 12, 17)))
    night = make_request(interval=span(local("Asia/Kabul", 2026, 1, 12, 21)))
    past_midnight = make_request(interval=span(local("Asia/Kabul", 2026, 1, 12, 23)))
    assert components(kabul, early)["local_hour"][0] == 5
    assert components(kabul, evening)["local_hour"][0] == 5  # ends 19:00
    assert components(kabul, night)["local_hour"][0] == 0
    assert components(kabul, past_midnight)["local_hour"][0] == 0


def test_a_preferred_gender_ranks_first_but_keeps_the_other_eligible():
    request = make_request(gender=Gender.FEMALE, gender_rule=GenderRule.PREFERRED)
    man = make_candidate(1, gender=Gender.MALE)
    woman = make_candidate(2, gender=Gender.FEMALE)
    result = match(request, [man, woman], NOW)
    assert ids(result) == [2, 1]
    assert result.matches[0].components[-1].points == 10
    assert result.matches[0].components[-1].basis is ScoreBasis.PREFERRED_GENDER
    assert result.matches[0].components[-1].values == {"gender": "female"}
    assert result.matches[1].components[-1].basis is ScoreBasis.NOT_PREFERRED_GENDER


def test_a_required_gender_is_never_relaxed_even_when_nobody_else_is_free():
    request = make_request(gender=Gender.FEMALE, gender_rule=GenderRule.REQUIRED)
    result = match(request, [make_candidate(1, gender=Gender.MALE), make_candidate(2, gender=Gender.MALE)], NOW)
    assert result.matches == ()
    assert result.eligible_count == 0
    assert {reason.reason for rs in result.rejections.values() for reason in rs} == {RejectionReason.GENDER}


def test_an_objected_interpreter_is_left_out_with_the_reason():
    request = make_request(objected_interpreter_ids=frozenset({1}))
    result = match(request, [make_candidate(1), make_candidate(2)], NOW)
    assert ids(result) == [2]
    assert [r.reason for r in result.rejections[1]] == [RejectionReason.OBJECTED_BY_APPLICANT]


def test_ties_go_to_fewer_booked_minutes_then_the_lower_id_whatever_the_input_order():
    # Both over the fair-share ceiling: equal scores, different bookings.
    pool = [make_candidate(i, booked_minutes_last_30_days=6000) for i in (7, 3, 5)]
    pool.append(make_candidate(9, booked_minutes_last_30_days=5000))
    orders = set()
    for seed in range(5):
        shuffled = pool[:]
        random.Random(seed).shuffle(shuffled)
        orders.add(tuple(ids(match(make_request(), shuffled, NOW))))
    assert orders == {(9, 3, 5, 7)}


def test_every_interpreter_left_out_is_listed_with_all_reasons():
    outside = make_candidate(2, windows=windows((1,), 8, 18))
    wrong_pair_and_hours = make_candidate(3, pairs={frozenset({"ara", "eng"}): Proficiency.C1}, windows=outside.windows)
    result = match(make_request(), [make_candidate(1), outside, wrong_pair_and_hours], NOW)
    assert ids(result) == [1] and result.eligible_count == 1
    assert list(result.rejections) == [2, 3]
    assert [r.reason for r in result.rejections[3]] == [
        RejectionReason.NO_LANGUAGE_PAIR,
        RejectionReason.OUTSIDE_AVAILABILITY,
    ]


def test_the_same_interpreter_twice_is_a_caller_error():
    with pytest.raises(ValueError, match="twice"):
        match(make_request(), [make_candidate(1), make_candidate(1)], NOW)


def test_two_thousand_generated_interpreters_are_each_matched_or_rejected_consistently_with_the_rules():
    pool = generated_pool(2000)
    request = make_request(officer_language="srp")
    result = match(request, pool, NOW)
    assert result.eligible_count > 0
    assert len(result.matches) + len(result.rejections) == 2000
    for candidate in pool:
        expected = evaluate(candidate, request, NOW)
        assert result.rejections.get(candidate.interpreter_id, ()) == expected
    booked = {c.interpreter_id: c.booked_minutes_last_30_days for c in pool}
    keys = [(-m.score, booked[m.interpreter_id], m.interpreter_id) for m in result.matches]
    assert keys == sorted(keys)
    quick = match(request, pool, NOW, first_only=True)
    assert ids(quick) == ids(result)
    for interpreter_id, (first,) in quick.rejections.items():
        assert first in result.rejections[interpreter_id]
