"""What of a booking an interpreter may see now: the rule alone, on plain values."""

from datetime import UTC, datetime, timedelta

import pytest

from rris.access.domain.case_access import Disclosure, Involvement, OfferFacts, in_message, interpreter_disclosure
from rris.enums import BookingState, OfferState

STARTS = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=2)
SPAN = timedelta(hours=2)
BEFORE = STARTS - timedelta(days=1)


def involvement(state=BookingState.OFFERED, holds=False, offers=(), version=1) -> Involvement:
    return Involvement(
        booking_state=state, booking_version=version, starts_at=STARTS, ends_at=ENDS, holds_leg=holds, offers=offers
    )


def offer(state=OfferState.PENDING, version=1, expires_at=BEFORE + timedelta(minutes=30)) -> OfferFacts:
    return OfferFacts(state=state, booking_version=version, expires_at=expires_at)


def test_an_open_offer_shows_the_facts_to_decide_and_no_case_details():
    seen = interpreter_disclosure(involvement(offers=(offer(),)), BEFORE, SPAN)
    assert seen is Disclosure.OFFER and not seen.case_details and not seen.job_is_theirs


@pytest.mark.parametrize(
    "answered", [OfferState.DECLINED, OfferState.WITHDRAWN, OfferState.EXPIRED, OfferState.ACCEPTED]
)
def test_an_answered_or_closed_offer_leaves_nothing(answered):
    assert interpreter_disclosure(involvement(offers=(offer(answered),)), BEFORE, SPAN) is Disclosure.NOTHING


def test_an_offer_past_its_time_is_gone_before_the_scheduler_marks_it():
    lapsed = involvement(offers=(offer(),))
    assert interpreter_disclosure(lapsed, BEFORE + timedelta(minutes=30), SPAN) is Disclosure.NOTHING


def test_an_offer_for_an_earlier_version_of_a_moved_booking_is_gone():
    moved = involvement(offers=(offer(version=1),), version=2)
    assert interpreter_disclosure(moved, BEFORE, SPAN) is Disclosure.NOTHING


def test_a_pending_offer_on_a_booking_no_longer_offered_is_gone():
    filled = involvement(state=BookingState.CONFIRMED, offers=(offer(),))
    assert interpreter_disclosure(filled, BEFORE, SPAN) is Disclosure.NOTHING


def test_the_interpreter_holding_the_job_sees_the_case_until_the_end_plus_the_span():
    held = involvement(state=BookingState.CONFIRMED, holds=True, offers=(offer(OfferState.ACCEPTED),))
    assert interpreter_disclosure(held, BEFORE, SPAN) is Disclosure.CASE
    assert interpreter_disclosure(held, ENDS + SPAN - timedelta(seconds=1), SPAN) is Disclosure.CASE
    after = interpreter_disclosure(held, ENDS + SPAN, SPAN)
    assert after is Disclosure.RECORD and after.job_is_theirs and not after.case_details


def test_a_span_of_zero_ends_the_case_details_with_the_session():
    held = involvement(state=BookingState.COMPLETED, holds=True)
    assert interpreter_disclosure(held, ENDS - timedelta(seconds=1), timedelta(0)) is Disclosure.CASE
    assert interpreter_disclosure(held, ENDS, timedelta(0)) is Disclosure.RECORD


def test_a_released_or_replaced_interpreter_sees_nothing():
    released = involvement(state=BookingState.CONFIRMED, holds=False, offers=(offer(OfferState.ACCEPTED),))
    assert interpreter_disclosure(released, BEFORE, SPAN) is Disclosure.NOTHING


def test_a_cancelled_booking_is_gone_even_for_one_still_marked_as_holding_it():
    cancelled = involvement(state=BookingState.CANCELLED, holds=True)
    assert interpreter_disclosure(cancelled, BEFORE, SPAN) is Disclosure.NOTHING


def test_messages_never_carry_case_details_to_an_interpreter():
    assert in_message(Disclosure.CASE) is Disclosure.RECORD
    assert not in_message(Disclosure.CASE).case_details
    assert in_message(Disclosure.INSTITUTION).case_details
    assert in_message(Disclosure.OFFER) is Disclosure.OFFER
