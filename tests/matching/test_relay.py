"""Relay through English: Pashto–English plus English–Macedonian when nobody covers Pashto–Macedonian."""

from __future__ import annotations

from rris.enums import Gender, GenderRule, Proficiency, Specialisation
from rris.matching.domain.engine import match
from rris.matching.domain.relay import RELAY_LANGUAGE, plan_relay
from rris.matching.domain.rules import RejectionReason
from tests.matching.test_builders import NOW, make_candidate, make_request

PUS_ENG = frozenset({"pus", "eng"})
ENG_MKD = frozenset({"eng", "mkd"})


def pashto(interpreter_id: int, **overrides):
    return make_candidate(interpreter_id, pairs={PUS_ENG: Proficiency.NATIVE}, **overrides)


def macedonian(interpreter_id: int, **overrides):
    return make_candidate(interpreter_id, pairs={ENG_MKD: Proficiency.C2}, **overrides)


def both_pairs(interpreter_id: int, **overrides):
    return make_candidate(interpreter_id, pairs={PUS_ENG: Proficiency.C1, ENG_MKD: Proficiency.C1}, **overrides)


def ids(result) -> list[int]:
    return [m.interpreter_id for m in result.matches]


PUS_MKD = make_request(officer_language="mkd")


def test_the_relay_language_is_english():
    assert RELAY_LANGUAGE == "eng"


def test_pashto_to_macedonian_with_no_direct_interpreter_is_relayed_through_english():
    pool = [pashto(1), macedonian(2)]
    assert match(PUS_MKD, pool, NOW).eligible_count == 0
    plan = plan_relay(PUS_MKD, pool, NOW)
    assert plan is not None
    assert ids(plan.first_leg) == [1]
    assert ids(plan.second_leg) == [2]
    first, second = plan.first_leg.matches[0].components[1], plan.second_leg.matches[0].components[1]
    assert first.values == {"level": "native", "applicant_language": "pus", "officer_language": "eng"}
    assert second.values == {"level": "c2", "applicant_language": "eng", "officer_language": "mkd"}


def test_no_relay_when_the_officer_speaks_english_or_the_applicant_does():
    pool = [pashto(1), macedonian(2)]
    assert plan_relay(make_request(officer_language="eng"), pool, NOW) is None
    assert plan_relay(make_request(applicant_language="eng", officer_language="mkd"), pool, NOW) is None


def test_no_relay_when_a_leg_has_nobody():
    assert plan_relay(PUS_MKD, [pashto(1)], NOW) is None
    assert plan_relay(PUS_MKD, [macedonian(2)], NOW) is None


def test_an_interpreter_eligible_for_both_legs_is_proposed_for_the_first_leg_only():
    plan = plan_relay(PUS_MKD, [both_pairs(3), macedonian(2)], NOW)
    assert plan is not None
    assert ids(plan.first_leg) == [3]
    assert ids(plan.second_leg) == [2]
    assert plan.shared_interpreter_ids == frozenset({3})
    assert 3 not in plan.second_leg.rejections


def test_a_shared_interpreter_moves_to_the_second_leg_when_only_they_can_cover_it():
    plan = plan_relay(PUS_MKD, [both_pairs(3), pashto(1)], NOW)
    assert plan is not None
    assert ids(plan.first_leg) == [1]
    assert ids(plan.second_leg) == [3]


def test_one_interpreter_cannot_be_both_legs():
    assert plan_relay(PUS_MKD, [both_pairs(3)], NOW) is None


def test_dialect_gender_and_training_bind_the_applicants_leg_only():
    request = make_request(
        officer_language="mkd",
        dialect="Kandahari",
        gender=Gender.FEMALE,
        gender_rule=GenderRule.REQUIRED,
        specialisations=frozenset({Specialisation.TRAUMA}),
    )
    suited = pashto(1, dialects=frozenset({("pus", "Kandahari")}), specialisations=frozenset({Specialisation.TRAUMA}))
    unsuited = pashto(4, gender=Gender.MALE)
    officer_side = macedonian(2, gender=Gender.MALE)
    plan = plan_relay(request, [suited, unsuited, officer_side], NOW)
    assert plan is not None
    assert ids(plan.first_leg) == [1]
    assert [r.reason for r in plan.first_leg.rejections[4]] == [
        RejectionReason.NO_DIALECT,
        RejectionReason.GENDER,
        RejectionReason.SPECIALISATION,
    ]
    assert ids(plan.second_leg) == [2]


def test_an_objection_applies_to_both_legs():
    request = make_request(officer_language="mkd", objected_interpreter_ids=frozenset({2}))
    plan = plan_relay(request, [pashto(1), macedonian(2), macedonian(5)], NOW)
    assert plan is not None
    assert ids(plan.second_leg) == [5]
    assert [r.reason for r in plan.second_leg.rejections[2]] == [RejectionReason.OBJECTED_BY_APPLICANT]


def test_both_legs_need_accreditation_for_the_booking_country():
    plan = plan_relay(PUS_MKD, [pashto(1), macedonian(2, accreditations=())], NOW)
    assert plan is None
