"""Many legs put to the matching engine at once (the desk's page of unfilled bookings) answer what
each leg alone answers: the same interpreters, ranks, reasons, objections and continuity, from one
read of the pool for all of them."""

from __future__ import annotations

from datetime import UTC, datetime

from rris.matching.domain.ranking import ScoreBasis
from rris.matching.domain.rules import RejectionReason
from rris.matching.services.booking_matching import match_leg
from rris.matching.services.leg_matching import match_legs
from tests import factories
from tests.bookings.test_applicant_keys import (  # noqa: F401 (fixtures)
    REGISTRATION,
    TYPED_IN_SKOPJE,
    ana,
    confirm,
    in_belgrade,
    in_skopje,
    interpreters,
    jelena,
    objection_in_belgrade,
)
from tests.conftest import DEFAULT_NOW
from tests.support.sql_statements import executed_statements


def test_legs_matched_together_answer_what_each_leg_alone_answers(jelena, ana, interpreters):  # noqa: F811
    objected, _, last_time = interpreters
    objection_in_belgrade(jelena, objected)
    confirm(in_belgrade(jelena, REGISTRATION, day="2026-01-14"), last_time)
    linked = in_skopje(ana, TYPED_IN_SKOPJE, continuity=True)
    unlinked = in_skopje(ana, None, day="2026-01-16", case_reference="MK-08-400/26", continuity=True)
    relay = factories.booking(
        department=ana.department,
        starts_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
        applicant_language="pus",
        officer_language="mkd",
        relay=True,
    )
    nobody = in_belgrade(jelena, None, day="2026-01-15", applicant_language="prs")  # no interpreter of the pair
    legs = [(linked, 1), (unlinked, 1), (relay, 1), (relay, 2), (nobody, 1)]

    together = match_legs(legs, DEFAULT_NOW)

    assert together == [match_leg(booking, leg, DEFAULT_NOW) for booking, leg in legs]
    # what makes each one differ from the others still holds in the legs matched together
    assert [r.reason for r in together[0].rejections[objected.id]] == [RejectionReason.OBJECTED_BY_APPLICANT]
    assert together[0].matches[0].interpreter_id == last_time.id
    assert together[0].matches[0].components[0].basis is ScoreBasis.CONTINUITY_REQUESTED
    assert objected.id in {match.interpreter_id for match in together[1].matches}
    assert together[1].matches[0].interpreter_id != last_time.id
    assert together[4].eligible_count == 0 and not together[4].rejections


def test_more_legs_do_not_read_the_pool_more_often(jelena, ana, interpreters):  # noqa: F811
    one = [(in_skopje(ana, TYPED_IN_SKOPJE, continuity=True), 1)]
    five = one + [
        (in_belgrade(jelena, None, day=f"2026-01-{day}", case_reference=f"RS-AZIL-2026-{day}"), 1)
        for day in (14, 15, 16, 19)
    ]
    match_legs(five, DEFAULT_NOW)  # the bookings themselves loaded (the desk loads them with its page)
    with executed_statements() as for_one:
        match_legs(one, DEFAULT_NOW)
    with executed_statements() as for_five:
        match_legs(five, DEFAULT_NOW)
    assert len(for_five) == len(for_one) <= 5, for_five  # noqa: PLR2004 (the pool, links, objections, sessions)
