"""Whether a due message still goes out is one rule, decided from plain values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rris.access.domain.case_access import Disclosure
from rris.enums import BookingState, NotificationKind
from rris.notifications.domain.notices import MessageFacts, why_not_send

K = NotificationKind
NOW = datetime(2026, 1, 14, 7, 50, tzinfo=UTC)
REMINDER = MessageFacts(
    kind=K.JOIN_NOW,
    version=2,
    useful_until=NOW + timedelta(hours=2),
    channel="SMS",
    recipient_active=True,
    reachable=True,
    interpreter=True,
    shown=Disclosure.CASE,
    takes_part=True,
    booking_state=BookingState.CONFIRMED,
    booking_version=2,
    calendar_sequence=3,
    offer_wave=1,
    conflict_open=False,
)


def test_a_reminder_for_a_session_as_it_stands_goes_out():
    assert why_not_send(REMINDER, NOW) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"useful_until": NOW}, "too late to be useful"),
        ({"recipient_active": False}, "the recipient's account is inactive"),
        ({"reachable": False}, "the recipient no longer takes SMS"),
        ({"shown": Disclosure.NOTHING}, "the recipient no longer holds the job"),
        ({"booking_version": 3}, "the booking is no longer confirmed for that time"),
        ({"booking_state": BookingState.CANCELLED}, "the booking is no longer confirmed for that time"),
        ({"takes_part": False, "interpreter": False}, "the recipient no longer takes part"),
    ],
)
def test_a_reminder_is_held_back_when_it_no_longer_helps(change, reason):
    assert why_not_send(replace(REMINDER, **change), NOW) == reason


def test_join_now_still_goes_once_the_session_started_but_the_hour_reminder_does_not():
    started = replace(REMINDER, booking_state=BookingState.IN_PROGRESS)
    assert why_not_send(started, NOW) is None
    assert why_not_send(replace(started, kind=K.REMINDER_1H), NOW) == "the booking is no longer confirmed for that time"


def test_an_offer_goes_only_while_it_is_open_to_the_interpreter():
    offer = replace(REMINDER, kind=K.OFFER, version=2, shown=Disclosure.OFFER, takes_part=False)
    assert why_not_send(offer, NOW) is None
    assert why_not_send(replace(offer, shown=Disclosure.NOTHING), NOW) == "the offer is no longer open"


def test_only_the_latest_invitation_goes_and_a_cancel_reaches_who_left_the_job():
    invitation = replace(REMINDER, kind=K.INVITATION, version=3, interpreter=False)
    assert why_not_send(invitation, NOW) is None
    assert why_not_send(replace(invitation, version=2), NOW) == "superseded by a newer invitation"
    cancel = replace(invitation, kind=K.INVITATION_CANCEL, interpreter=True, shown=Disclosure.NOTHING)
    assert why_not_send(cancel, NOW) is None


def test_alerts_go_while_what_they_report_still_holds():
    unfilled = replace(REMINDER, kind=K.UNFILLED_2H, version=1, interpreter=False, booking_state=BookingState.UNFILLED)
    assert why_not_send(unfilled, NOW) is None
    assert why_not_send(replace(unfilled, offer_wave=2), NOW) == "the booking is no longer unfilled"
    conflict = replace(REMINDER, kind=K.CONFLICT, version=7, interpreter=False, conflict_open=True)
    assert why_not_send(conflict, NOW) is None
    assert why_not_send(replace(conflict, conflict_open=False), NOW) == "the conflict is resolved"
    no_show = replace(REMINDER, kind=K.NO_SHOW, interpreter=False, booking_state=BookingState.IN_PROGRESS)
    assert why_not_send(no_show, NOW) is None
    outcome = replace(no_show, booking_state=BookingState.INTERPRETER_NO_SHOW)
    assert why_not_send(outcome, NOW) == "an outcome is recorded already"
