"""From request to confirmation: waves of offers, the first acceptance winning, declines,
expiry, relay, cancellation, rescheduling and manual assignment."""

from datetime import datetime, timedelta

import pytest

from rris.access.queries.actors import actor_of
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import (
    Idempotency,
    assign_by_hand,
    cancel_booking,
    request_booking,
    reschedule_booking,
)
from rris.bookings.services.objections import record_objection
from rris.common.domain.errors import Conflict, InvalidInput
from rris.enums import BookingState, Gender, OfferState, Role
from rris.extensions import db
from rris.offers.services.offers import accept_offer, decline_offer, expire_offers
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.support.booking_setup import booking_setup, waves

TUESDAY_0900_BELGRADE = "2026-01-13T09:00"  # 08:00 UTC, 12:30 in Kabul


def pashto_request(**changes):
    values = {
        "applicant_language": "pus",
        "officer_language": "srp",
        "session_kind": "asylum_interview",
        "start_local": TUESDAY_0900_BELGRADE,
        "duration_minutes": 120,
        "case_reference": "RS-2026-0042",
    }
    values.update(changes)
    return BookingRequest(**values)


@pytest.fixture
def jelena(ctx):
    return factories.caseworker("RS", email="jelena@mup.rs.example")


def pool(count, **fields):
    return [factories.interpreter(pairs=(("pus", "srp"),), **fields) for _ in range(count)]


def book(user, **changes):
    booking, _created = request_booking(pashto_request(**changes), user, actor_of(user), DEFAULT_NOW, booking_setup())
    return booking


def pending_offers(booking):
    return [offer for offer in booking.offers if offer.state is OfferState.PENDING]


def test_a_request_sends_the_first_wave_to_the_best_three(jelena):
    pool(5)
    booking = book(jelena)
    assert booking.state is BookingState.OFFERED
    assert len(pending_offers(booking)) == 3
    assert booking.starts_at.isoformat() == "2026-01-13T08:00:00+00:00"


def test_the_first_acceptance_wins_and_the_other_offers_are_withdrawn(jelena):
    first, second, _third = pool(3)
    booking = book(jelena)
    accept_offer(_offer_of(booking, first).id, first, DEFAULT_NOW)
    assert booking.state is BookingState.CONFIRMED
    assert [a.interpreter_id for a in booking.active_assignments] == [first.id]
    with pytest.raises(Conflict, match="Another interpreter accepted this job first"):
        accept_offer(_offer_of(booking, second).id, second, DEFAULT_NOW)


def test_when_everyone_declines_the_next_wave_goes_out(jelena):
    interpreters = pool(4)
    booking = book(jelena)
    for offer in list(pending_offers(booking)):
        decline_offer(offer.id, offer.interpreter, "Another hearing that morning", DEFAULT_NOW, waves())
    waiting = pending_offers(booking)
    assert booking.offer_wave == 2 and len(waiting) == 1
    assert waiting[0].interpreter_id not in {o.interpreter_id for o in booking.offers if o.state is OfferState.DECLINED}
    assert {o.interpreter_id for o in booking.offers} == {i.id for i in interpreters}


def test_a_decline_needs_a_reason(jelena):
    (only,) = pool(1)
    booking = book(jelena)
    with pytest.raises(InvalidInput) as problem:
        decline_offer(booking.offers[0].id, only, "  ", DEFAULT_NOW, waves())
    assert "reason" in problem.value.errors


def test_expired_offers_make_way_for_the_next_wave_and_then_unfilled(jelena):
    pool(4)
    booking = book(jelena)
    expire_offers(DEFAULT_NOW + timedelta(minutes=31), waves())
    assert booking.offer_wave == 2 and len(pending_offers(booking)) == 1
    expire_offers(DEFAULT_NOW + timedelta(minutes=62), waves())
    assert booking.state is BookingState.UNFILLED


def test_an_expired_offer_cannot_be_accepted(jelena):
    (only,) = pool(1)
    booking = book(jelena)
    with pytest.raises(Conflict, match="expired"):
        accept_offer(booking.offers[0].id, only, DEFAULT_NOW + timedelta(minutes=45))


def test_nobody_who_fits_means_unfilled_at_once(jelena):
    factories.interpreter(pairs=(("pus", "srp"),), accredited_for=("AL",))
    booking = book(jelena)
    assert booking.state is BookingState.UNFILLED


def test_a_required_gender_is_never_relaxed(jelena):
    pool(2, gender=Gender.MALE)
    booking = book(jelena, gender="female", gender_rule="required")
    assert booking.state is BookingState.UNFILLED


def test_a_pair_no_one_covers_is_relayed_through_english(jelena):
    factories.interpreter(pairs=(("pus", "eng"),))
    factories.interpreter(pairs=(("eng", "srp"),), zone="Europe/Belgrade")
    booking = book(jelena)
    assert booking.relay and booking.state is BookingState.OFFERED
    assert {offer.leg for offer in booking.offers} == {1, 2}
    for offer in list(pending_offers(booking)):
        accept_offer(offer.id, offer.interpreter, DEFAULT_NOW)
    assert booking.state is BookingState.CONFIRMED
    assert len(booking.active_assignments) == 2


def test_a_cancellation_inside_24_hours_is_late_and_frees_the_interpreter(jelena):
    (only,) = pool(1)
    booking = book(jelena)
    accept_offer(booking.offers[0].id, only, DEFAULT_NOW)
    cancel_booking(booking.id, actor_of(jelena), "Applicant withdrew the claim", DEFAULT_NOW + timedelta(hours=2))
    assert booking.state is BookingState.CANCELLED and booking.cancelled_late
    assert booking.active_assignments == []


def test_a_cancelled_booking_cannot_be_cancelled_again(jelena):
    pool(1)
    booking = book(jelena)
    cancel_booking(booking.id, actor_of(jelena), "Duplicate", DEFAULT_NOW)
    with pytest.raises(Exception, match="a booking that is cancelled cannot cancel"):
        cancel_booking(booking.id, actor_of(jelena), "Again", DEFAULT_NOW)


def test_rescheduling_asks_the_same_interpreter_first_and_keeps_history(jelena):
    first, _second = pool(2)
    booking = book(jelena)
    accept_offer(_offer_of(booking, first).id, first, DEFAULT_NOW)
    reschedule_booking(booking.id, actor_of(jelena), datetime(2026, 1, 14, 10, 0), None, DEFAULT_NOW, booking_setup())
    assert booking.state is BookingState.OFFERED and booking.version == 2
    newest = [o for o in booking.offers if o.booking_version == 2]
    assert newest[0].interpreter_id == first.id
    assert [event.action for event in booking.events][-2:] == ["reschedule", "offer"]


def test_a_coordinator_is_warned_before_assigning_someone_ineligible(jelena):
    pool(1)
    stranger = factories.interpreter(pairs=(("pus", "srp"),), accredited_for=("AL",))
    coordinator = factories.user(Role.COORDINATOR)
    booking = book(jelena)
    with pytest.raises(InvalidInput, match="Not accredited"):
        assign_by_hand(booking.id, stranger.id, actor_of(coordinator), DEFAULT_NOW)
    assign_by_hand(booking.id, stranger.id, actor_of(coordinator), DEFAULT_NOW, despite=True)
    assert booking.state is BookingState.CONFIRMED
    assert "Despite" in booking.events[-1].note


def test_an_objected_interpreter_is_never_offered_that_case_again(jelena):
    first, second = pool(2)
    booking = book(jelena)
    accept_offer(_offer_of(booking, first).id, first, DEFAULT_NOW)
    record_objection(booking.id, first.id, actor_of(jelena), DEFAULT_NOW)
    later = book(jelena, start_local="2026-01-15T09:00")
    assert first.id not in {offer.interpreter_id for offer in later.offers}
    assert second.id in {offer.interpreter_id for offer in later.offers}


def test_an_objection_to_an_interpreter_of_a_relay_keeps_them_from_the_next_relay_of_the_case(jelena):
    factories.interpreter(pairs=(("pus", "eng"),))
    objected, other = (factories.interpreter(pairs=(("eng", "srp"),), zone="Europe/Belgrade") for _ in range(2))
    booking = book(jelena)
    for offer in list(pending_offers(booking)):
        if offer.interpreter_id != other.id:
            accept_offer(offer.id, offer.interpreter, DEFAULT_NOW)
    assert booking.state is BookingState.CONFIRMED and objected.id in {a.interpreter_id for a in booking.assignments}
    record_objection(booking.id, objected.id, actor_of(jelena), DEFAULT_NOW)
    later = book(jelena, start_local="2026-01-15T09:00")
    assert later.relay
    assert {offer.interpreter_id for offer in later.offers if offer.leg == 2} == {other.id}


def test_the_same_idempotency_key_creates_one_booking(jelena):
    pool(1)
    key = Idempotency("k-1", "fingerprint")
    first, created = request_booking(pashto_request(), jelena, actor_of(jelena), DEFAULT_NOW, booking_setup(), key)
    again, created_again = request_booking(
        pashto_request(), jelena, actor_of(jelena), DEFAULT_NOW, booking_setup(), key
    )
    assert created and not created_again and again.id == first.id


def _offer_of(booking, interpreter):
    return next(offer for offer in booking.offers if offer.interpreter_id == interpreter.id)


def test_nothing_is_written_when_the_input_is_bad(jelena):
    from sqlalchemy import func, select

    from rris.bookings.models.bookings import Booking

    pool(1)
    with pytest.raises(InvalidInput) as problem:
        book(jelena, start_local="2026-03-29T02:30", officer_language="pus")
    assert {"start_local", "officer_language"} <= set(problem.value.errors)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_request_out_of_its_shape_is_refused_field_by_field_before_any_use_case_runs(jelena):
    from pydantic import ValidationError

    from rris.common.web.request_shapes import invalid_input

    with pytest.raises(ValidationError) as refused:
        pashto_request(duration_minutes=0, notes="x" * 1001, session_kind="chat", start_local="tomorrow")
    problem = invalid_input(refused.value, BookingRequest)
    assert problem.errors == {
        "duration_minutes": "A session lasts from 15 minutes to 8 hours.",
        "notes": "Notes to the interpreter take at most 1000 characters; these have 1001. Shorten them.",
        "session_kind": "Choose one of: asylum_interview, registration, reception, medical, legal_counselling, "
        "return_counselling, age_assessment, vulnerability_assessment.",
        "start_local": "Give the start as a date and time from 2000 to 2099, like 2026-03-02T09:00.",
    }
