"""The booking state table: every legal move, and clear refusals for the rest."""

import pytest

from rris.bookings.domain.booking_states import (
    FINAL_STATES,
    BookingAction,
    IllegalTransition,
    allowed_actions,
    next_state,
)
from rris.enums import BookingState


def test_the_happy_path_from_request_to_completion():
    state = BookingState.REQUESTED
    for action in (BookingAction.OFFER, BookingAction.ACCEPT, BookingAction.START, BookingAction.COMPLETE):
        state = next_state(state, action)
    assert state is BookingState.COMPLETED


def test_a_completed_or_cancelled_booking_cannot_change_any_more():
    for state in (BookingState.COMPLETED, BookingState.CANCELLED, BookingState.INTERPRETER_NO_SHOW):
        assert state in FINAL_STATES
        assert allowed_actions(state) == frozenset()


def test_an_illegal_move_is_refused_with_a_sentence_saying_why():
    with pytest.raises(IllegalTransition, match="a booking that is cancelled cannot accept"):
        next_state(BookingState.CANCELLED, BookingAction.ACCEPT)


def test_outcomes_are_recorded_only_once_a_booking_was_confirmed():
    assert BookingAction.MARK_APPLICANT_NO_SHOW in allowed_actions(BookingState.CONFIRMED)
    assert BookingAction.MARK_APPLICANT_NO_SHOW in allowed_actions(BookingState.IN_PROGRESS)
    assert BookingAction.MARK_APPLICANT_NO_SHOW not in allowed_actions(BookingState.OFFERED)


def test_every_state_has_a_row_in_the_table():
    for state in BookingState:
        allowed_actions(state)
