"""An objection and "same interpreter as last time" follow the applicant across the border when
the caseworkers give the applicant's regional identifier, and stay per case when they do not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking, CaseObjection
from rris.bookings.services.applicant_keys import key_version_counts
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import assign_by_hand, preview_booking, request_booking
from rris.bookings.services.objections import record_objection
from rris.common.domain.errors import Conflict, InvalidInput
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.matching.domain.ranking import ScoreBasis
from rris.matching.domain.rules import RejectionReason
from rris.matching.models.conflicts import BookingConflict
from rris.matching.services.booking_matching import match_leg
from rris.matching.services.conflicts import process_sweep_requests
from rris.matching.services.wording import score_text
from rris.offers.services.offers import accept_offer
from tests import factories
from tests.conftest import DEFAULT_NOW, TEST_APPLICANT_KEY_SECRET
from tests.support.booking_setup import booking_setup

REGISTRATION = "RS-2026-0042"
TYPED_IN_SKOPJE = "rs 2026 0042"
NEW_SECRET = "the-pool-secret-after-rotation-0123456789"


@pytest.fixture
def jelena(ctx):
    """A caseworker in Belgrade."""
    return factories.caseworker("RS", email="jelena@mup.rs.example")


@pytest.fixture
def ana(ctx):
    """A caseworker in Skopje."""
    return factories.caseworker("MK", email="ana@mvr.mk.example")


@pytest.fixture
def interpreters(ctx):
    """Three Pashto interpreters accredited in Serbia and North Macedonia."""
    return [
        factories.interpreter(pairs=(("pus", "srp"), ("pus", "mkd")), accredited_for=("RS", "MK")) for _ in range(3)
    ]


@pytest.fixture
def rotate(app):
    """Change the applicant key settings for one test."""
    before = app.extensions["rris.settings"]

    def change(**values):
        app.extensions["rris.settings"] = before.replace(**values)

    yield change
    app.extensions["rris.settings"] = before


def in_belgrade(user, identifier=None, day="2026-01-13", **changes):
    values = {
        "applicant_language": "pus",
        "officer_language": "srp",
        "session_kind": "asylum_interview",
        "start_local": f"{day}T09:00",
        "duration_minutes": 60,
        "case_reference": "RS-AZIL-2026-17",
        "applicant_identifier": identifier,
        **changes,
    }
    return request_booking(BookingRequest(**values), user, actor_of(user), DEFAULT_NOW, booking_setup())[0]


def in_skopje(user, identifier=None, day="2026-01-15", **changes):
    values = {
        "applicant_language": "pus",
        "officer_language": "mkd",
        "session_kind": "asylum_interview",
        "start_local": f"{day}T09:00",
        "duration_minutes": 60,
        "case_reference": "MK-08-331/26",
        "applicant_identifier": identifier,
        **changes,
    }
    return request_booking(BookingRequest(**values), user, actor_of(user), DEFAULT_NOW, booking_setup())[0]


def confirm(booking, interpreter):
    offer = next(offer for offer in booking.offers if offer.interpreter_id == interpreter.id)
    accept_offer(offer.id, interpreter, DEFAULT_NOW)
    assert booking.state is BookingState.CONFIRMED


def offered(booking):
    return {offer.interpreter_id for offer in booking.offers}


def objection_in_belgrade(jelena, interpreter, identifier=REGISTRATION):
    booking = in_belgrade(jelena, identifier)
    confirm(booking, interpreter)
    record_objection(booking.id, interpreter.id, actor_of(jelena), DEFAULT_NOW)
    return booking


def test_an_objection_in_serbia_holds_in_north_macedonia_for_the_same_identifier_typed_differently(
    jelena, ana, interpreters
):
    objected = interpreters[0]
    objection_in_belgrade(jelena, objected)
    skopje = in_skopje(ana, TYPED_IN_SKOPJE)
    assert objected.id not in offered(skopje)
    assert offered(skopje) == {interpreters[1].id, interpreters[2].id}
    why_not = match_leg(skopje, 1, DEFAULT_NOW, interpreter_ids=[objected.id]).rejections[objected.id]
    assert [rejection.reason for rejection in why_not] == [RejectionReason.OBJECTED_BY_APPLICANT]


@pytest.mark.parametrize("identifier", ["RS-2026-0043", None], ids=["another identifier", "no identifier"])
def test_another_identifier_or_none_does_not_link_the_applicants(jelena, ana, interpreters, identifier):
    objected = interpreters[0]
    objection_in_belgrade(jelena, objected)
    skopje = in_skopje(ana, identifier)
    assert objected.id in offered(skopje)
    assert not match_leg(skopje, 1, DEFAULT_NOW, interpreter_ids=[objected.id]).rejections


def test_without_any_identifier_the_objection_still_holds_within_its_case(jelena, interpreters):
    objected = interpreters[0]
    objection_in_belgrade(jelena, objected, identifier=None)
    again = in_belgrade(jelena, None, day="2026-01-16")
    assert objected.id not in offered(again)


def test_an_objection_made_before_the_identifier_was_known_follows_it_through_the_case(jelena, ana, interpreters):
    objected = interpreters[0]
    objection_in_belgrade(jelena, objected, identifier=None)
    in_belgrade(jelena, REGISTRATION, day="2026-01-16")  # the next session of the case gives it
    skopje = in_skopje(ana, TYPED_IN_SKOPJE)
    assert objected.id not in offered(skopje)


def test_same_interpreter_as_last_time_prefers_the_one_from_serbia(jelena, ana, interpreters):
    last_time = interpreters[2]
    confirm(in_belgrade(jelena, REGISTRATION), last_time)
    skopje = in_skopje(ana, TYPED_IN_SKOPJE, continuity=True)
    best = match_leg(skopje, 1, DEFAULT_NOW).matches[0]
    assert best.interpreter_id == last_time.id
    assert best.components[0].basis is ScoreBasis.CONTINUITY_REQUESTED
    unlinked = in_skopje(ana, None, day="2026-01-16", case_reference="MK-08-400/26", continuity=True)
    ranked = match_leg(unlinked, 1, DEFAULT_NOW).matches
    assert ranked[0].interpreter_id != last_time.id
    assert next(m for m in ranked if m.interpreter_id == last_time.id).components[0].points == 0


def test_a_request_asking_for_continuity_ranks_whom_the_applicant_had_last_as_asked(jelena, ana, interpreters):
    # Both served her before (in Serbia, linked by the key); only the latest is whom she had last.
    earlier, last_time = interpreters[1], interpreters[2]
    confirm(in_belgrade(jelena, REGISTRATION, day="2026-01-13"), earlier)
    confirm(in_belgrade(jelena, REGISTRATION, day="2026-01-14"), last_time)
    values = {
        "applicant_language": "pus",
        "officer_language": "mkd",
        "session_kind": "asylum_interview",
        "start_local": "2026-01-15T09:00",
        "case_reference": "MK-08-331/26",
        "applicant_identifier": TYPED_IN_SKOPJE,
        "continuity": True,
    }
    preview = preview_booking(BookingRequest(**values), actor_of(ana), DEFAULT_NOW, booking_setup().keys)
    basis = {match.interpreter_id: match.components[0].basis for match in preview.direct.matches}
    assert basis[last_time.id] is ScoreBasis.CONTINUITY_REQUESTED
    assert basis[earlier.id] is ScoreBasis.CONTINUITY_SERVED
    assert basis[interpreters[0].id] is ScoreBasis.CONTINUITY_NEW
    booking = in_skopje(ana, TYPED_IN_SKOPJE, continuity=True)
    assert {offer.interpreter_id: offer.rank for offer in booking.offers}[interpreters[0].id] == 3


def test_the_continuity_line_speaks_of_the_applicant_whose_case_in_serbia_is_linked(jelena, ana, interpreters):
    last_time = interpreters[2]
    confirm(in_belgrade(jelena, REGISTRATION), last_time)
    skopje = in_skopje(ana, TYPED_IN_SKOPJE)  # another country's case; no continuity asked for
    served = next(m for m in match_leg(skopje, 1, DEFAULT_NOW).matches if m.interpreter_id == last_time.id)
    assert (served.components[0].points, score_text(served.components[0])) == (
        40,
        "Interpreted for this applicant before",
    )
    others = [m for m in match_leg(skopje, 1, DEFAULT_NOW).matches if m.interpreter_id != last_time.id]
    assert {score_text(m.components[0]) for m in others} == {"New to this applicant"}


def test_an_offer_made_before_an_objection_in_serbia_cannot_be_accepted_in_north_macedonia(jelena, ana, interpreters):
    interpreter = interpreters[0]
    belgrade = in_belgrade(jelena, REGISTRATION)
    confirm(belgrade, interpreter)
    skopje = in_skopje(ana, TYPED_IN_SKOPJE)
    offer = next(offer for offer in skopje.offers if offer.interpreter_id == interpreter.id)
    record_objection(belgrade.id, interpreter.id, actor_of(jelena), DEFAULT_NOW)
    with pytest.raises(Conflict, match="You can no longer take this job: .*objected"):
        accept_offer(offer.id, interpreter, DEFAULT_NOW)
    assert db.session.get(Booking, skopje.id).state is BookingState.OFFERED


def test_an_objection_in_serbia_flags_a_confirmed_job_in_north_macedonia(jelena, ana, interpreters):
    interpreter = interpreters[0]
    belgrade = in_belgrade(jelena, REGISTRATION)
    confirm(belgrade, interpreter)
    skopje = in_skopje(ana, TYPED_IN_SKOPJE)
    confirm(skopje, interpreter)
    record_objection(belgrade.id, interpreter.id, actor_of(jelena), DEFAULT_NOW)
    process_sweep_requests(DEFAULT_NOW)
    flagged = db.session.scalars(select(BookingConflict).where(BookingConflict.booking_id == skopje.id)).all()
    assert [(c.interpreter_id, c.reason) for c in flagged] == [(interpreter.id, "objected_by_applicant")]


def test_the_objection_carries_the_key_not_the_identifier(jelena, interpreters):
    belgrade = objection_in_belgrade(jelena, interpreters[0])
    objection = db.session.scalar(select(CaseObjection))
    assert objection.applicant_key == belgrade.applicant_key and len(objection.applicant_key) == 64
    assert objection.applicant_key_version == belgrade.applicant_key_version == 1
    assert "20260042" not in objection.applicant_key


def test_an_unusable_identifier_is_refused_by_name_and_nothing_is_written(jelena, interpreters):
    with pytest.raises(InvalidInput) as refused:
        in_belgrade(jelena, "RS#2026")
    assert set(refused.value.errors) == {"applicant_identifier"}
    assert "RS#2026" not in refused.value.errors["applicant_identifier"]
    assert key_version_counts() == []


def test_during_a_rotation_old_keys_still_match_and_are_rekeyed_when_the_identifier_returns(
    jelena, ana, interpreters, rotate
):
    objected = interpreters[0]
    belgrade = objection_in_belgrade(jelena, objected)
    rotate(
        applicant_key_secret=NEW_SECRET,
        applicant_key_version=2,
        applicant_key_retired=((1, TEST_APPLICANT_KEY_SECRET),),
    )
    skopje = in_skopje(ana, TYPED_IN_SKOPJE)
    assert objected.id not in offered(skopje)
    db.session.refresh(belgrade)
    assert (belgrade.applicant_key_version, skopje.applicant_key_version) == (2, 2)
    assert belgrade.applicant_key == skopje.applicant_key
    assert [(c.version, c.bookings, c.objections) for c in key_version_counts()] == [(2, 2, 1)]
    rotate(applicant_key_secret=NEW_SECRET, applicant_key_version=2, applicant_key_retired=())
    later = in_skopje(ana, REGISTRATION, day="2026-01-16", case_reference="MK-08-500/26")
    assert objected.id not in offered(later)  # re-keyed rows need the old secret no more


def test_a_changed_secret_without_a_retired_entry_cuts_the_link(jelena, ana, interpreters, rotate):
    objected = interpreters[0]
    objection_in_belgrade(jelena, objected)
    rotate(applicant_key_secret=NEW_SECRET, applicant_key_version=2, applicant_key_retired=())
    assert objected.id in offered(in_skopje(ana, TYPED_IN_SKOPJE))


def test_objecting_again_once_the_identifier_is_known_puts_the_key_on_the_objection(jelena, interpreters):
    objected = interpreters[0]
    objection_in_belgrade(jelena, objected, identifier=None)
    keyed = in_belgrade(jelena, REGISTRATION, day="2026-01-16")
    assert objected.id not in offered(keyed)
    hub = factories.user(Role.COORDINATOR, email="hub@marri.example")
    assign_by_hand(keyed.id, objected.id, actor_of(hub), DEFAULT_NOW, despite=True)
    record_objection(keyed.id, objected.id, actor_of(jelena), DEFAULT_NOW)
    objection = db.session.scalar(select(CaseObjection))
    assert objection.applicant_key == keyed.applicant_key
