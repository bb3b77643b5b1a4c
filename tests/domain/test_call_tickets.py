"""Join tickets: only RRIS can make one, and each works only for its span."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rris.domain.call_participants import Participant
from rris.domain.call_tickets import CallTicket, TicketRejected, read_ticket, sign_ticket, valid_span
from rris.enums import CallRole

SECRET = "a-long-enough-secret-for-signing-call-tickets"
START = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


def ticket(**changes) -> CallTicket:
    opens, closes = valid_span(START, END)
    values = dict(
        room="r8Qk2vXn0aLpZ3",
        booking_id=42,
        participant=Participant.user(7),
        role=CallRole.INTERPRETER,
        display_name="Mariam Ahmadzai",
        not_before=opens,
        expires_at=closes,
        nonce="n-1",
    )
    values.update(changes)
    return CallTicket(**values)


def test_a_ticket_opens_15_minutes_before_and_closes_30_after_the_end():
    assert valid_span(START, END) == (START - timedelta(minutes=15), END + timedelta(minutes=30))


def test_a_signed_ticket_reads_back_the_same_within_its_span():
    token = sign_ticket(ticket(), SECRET)
    assert read_ticket(token, SECRET, START - timedelta(minutes=15)) == ticket()
    assert read_ticket(token, SECRET, END + timedelta(minutes=29)) == ticket()


@pytest.mark.parametrize(
    ("moment", "reason"),
    [(START - timedelta(minutes=16), "too_early"), (END + timedelta(minutes=30), "expired")],
)
def test_outside_its_span_a_ticket_is_refused(moment, reason):
    with pytest.raises(TicketRejected) as refused:
        read_ticket(sign_ticket(ticket(), SECRET), SECRET, moment)
    assert refused.value.reason == reason


def test_a_ticket_signed_with_another_secret_is_refused():
    with pytest.raises(TicketRejected) as refused:
        read_ticket(sign_ticket(ticket(), "another-secret-that-is-also-long-enough"), SECRET, START)
    assert refused.value.reason == "bad_signature"


def test_changing_the_role_or_room_breaks_the_signature():
    version, body, signature = sign_ticket(ticket(), SECRET).split(".")
    forged_body = sign_ticket(ticket(role=CallRole.OFFICER, room="another-room"), SECRET).split(".")[1]
    with pytest.raises(TicketRejected) as refused:
        read_ticket(f"{version}.{forged_body}.{signature}", SECRET, START)
    assert refused.value.reason == "bad_signature"


@pytest.mark.parametrize("token", ["", "garbage", "v1.only-two", "v2.a.b", None])
def test_garbage_is_malformed_or_unsigned_never_an_exception_of_another_kind(token):
    with pytest.raises(TicketRejected):
        read_ticket(token, SECRET, START)


def test_a_ticket_needs_a_name_a_room_and_a_span_in_order():
    with pytest.raises(ValueError, match="display_name"):
        ticket(display_name="")
    with pytest.raises(ValueError, match="room"):
        ticket(room="")
    with pytest.raises(ValueError, match="expires_at"):
        replace(ticket(), expires_at=START - timedelta(hours=1))
