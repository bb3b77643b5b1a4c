"""The one table of booking states and the actions that move a booking between them.

Services call `next_state` inside each transition (guard first, then write); pages and the
API show only `allowed_actions`. Nothing else decides what may happen to a booking.
"""

from __future__ import annotations

from enum import StrEnum

from rris.enums import BookingState as S


class BookingAction(StrEnum):
    """Something that can happen to a booking."""

    OFFER = "offer"  # offers go out (first wave, next wave, or a re-offer)
    ACCEPT = "accept"  # the last missing interpreter accepted
    ASSIGN = "assign"  # a coordinator assigned by hand
    EXHAUST = "exhaust"  # no candidates left
    RESCHEDULE = "reschedule"  # new time; the service re-checks the interpreters
    REOFFER = "reoffer"  # a conflicted interpreter is released and the job offered again
    CANCEL = "cancel"
    START = "start"
    COMPLETE = "complete"
    MARK_INTERPRETER_NO_SHOW = "mark_interpreter_no_show"
    MARK_APPLICANT_NO_SHOW = "mark_applicant_no_show"
    MARK_WRONG_LANGUAGE = "mark_wrong_language"
    MARK_TECHNICAL_FAILURE = "mark_technical_failure"


_OUTCOMES = {
    BookingAction.MARK_INTERPRETER_NO_SHOW: S.INTERPRETER_NO_SHOW,
    BookingAction.MARK_APPLICANT_NO_SHOW: S.APPLICANT_NO_SHOW,
    BookingAction.MARK_WRONG_LANGUAGE: S.WRONG_LANGUAGE,
    BookingAction.MARK_TECHNICAL_FAILURE: S.TECHNICAL_FAILURE,
}

A = BookingAction
TRANSITIONS: dict[S, dict[BookingAction, S]] = {
    S.REQUESTED: {
        A.OFFER: S.OFFERED,
        A.ASSIGN: S.CONFIRMED,
        A.EXHAUST: S.UNFILLED,
        A.RESCHEDULE: S.REQUESTED,
        A.CANCEL: S.CANCELLED,
    },
    S.OFFERED: {
        A.OFFER: S.OFFERED,
        A.ACCEPT: S.CONFIRMED,
        A.ASSIGN: S.CONFIRMED,
        A.EXHAUST: S.UNFILLED,
        A.RESCHEDULE: S.REQUESTED,
        A.CANCEL: S.CANCELLED,
    },
    S.UNFILLED: {A.OFFER: S.OFFERED, A.ASSIGN: S.CONFIRMED, A.RESCHEDULE: S.REQUESTED, A.CANCEL: S.CANCELLED},
    S.CONFIRMED: {
        A.OFFER: S.OFFERED,
        A.REOFFER: S.OFFERED,
        A.ASSIGN: S.CONFIRMED,
        A.RESCHEDULE: S.REQUESTED,
        A.CANCEL: S.CANCELLED,
        A.START: S.IN_PROGRESS,
        **_OUTCOMES,
    },
    S.IN_PROGRESS: {A.COMPLETE: S.COMPLETED, **_OUTCOMES},
    S.COMPLETED: {},
    S.CANCELLED: {},
    **{outcome: {} for outcome in _OUTCOMES.values()},
}

FINAL_STATES = frozenset(state for state, moves in TRANSITIONS.items() if not moves)


class IllegalTransition(ValueError):
    """The action is not possible in the booking's current state."""

    def __init__(self, state: S, action: BookingAction) -> None:
        self.state = state
        self.action = action
        super().__init__(f"a booking that is {state.value.replace('_', ' ')} cannot {action.value.replace('_', ' ')}")


def allowed_actions(state: S) -> frozenset[BookingAction]:
    """What may happen to a booking in `state`."""
    return frozenset(TRANSITIONS[state])


def next_state(state: S, action: BookingAction) -> S:
    """The state after `action`, or IllegalTransition."""
    try:
        return TRANSITIONS[state][action]
    except KeyError:
        raise IllegalTransition(state, action) from None
