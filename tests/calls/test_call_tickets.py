"""Call tickets: only RRIS can make one, each works only for its span, and a join ticket and a
telephone leg's ticket never pass for each other."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import Signer

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, TicketKind, TicketRejected, read_ticket, sign_ticket, valid_span
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


def read(token, moment=START, kind=TicketKind.JOIN, secret=SECRET) -> CallTicket:
    return read_ticket(token, secret, moment, kind)


def refusal(token, moment=START, kind=TicketKind.JOIN, secret=SECRET) -> str:
    with pytest.raises(TicketRejected) as refused:
        read(token, moment, kind, secret)
    return refused.value.reason


def payload_of(token: str) -> dict:
    payload, _signature = token.split(".")
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def with_payload(token: str, fields: dict) -> str:
    """The token with another payload under its own signature."""
    payload = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
    return f"{payload}.{token.split('.')[1]}"


def test_a_signed_ticket_reads_back_the_same_within_its_span():
    token = sign_ticket(ticket(), SECRET)
    assert read(token, START - timedelta(minutes=15)) == ticket()
    assert read(token, END + timedelta(minutes=29)) == ticket()


def test_a_phones_ticket_is_a_leg_ticket_and_reads_back_as_one():
    phone = ticket(participant=Participant.user(7).phone())
    assert phone.kind is TicketKind.LEG and ticket().kind is TicketKind.JOIN
    assert read(sign_ticket(phone, SECRET), kind=TicketKind.LEG) == phone
    caller = ticket(participant=Participant.caller(12), role=CallRole.GUEST)
    assert read(sign_ticket(caller, SECRET), kind=TicketKind.LEG) == caller


@pytest.mark.parametrize(
    ("moment", "reason"),
    [(START - timedelta(minutes=16), "too_early"), (END + timedelta(minutes=30), "expired")],
)
def test_outside_its_span_a_ticket_is_refused(moment, reason):
    assert refusal(sign_ticket(ticket(), SECRET), moment) == reason


def test_a_ticket_signed_with_another_secret_is_refused():
    assert refusal(sign_ticket(ticket(), "another-secret-that-is-also-long-enough")) == "bad_signature"


def test_changing_the_role_or_room_breaks_the_signature():
    token = sign_ticket(ticket(), SECRET)
    fields = payload_of(token)
    assert fields["role"] == "interpreter" and fields["participant"] == "user-7"
    for change in ({"role": "officer"}, {"room": "another-room"}, {"participant": "user-8"}, {"expires_at": 2**40}):
        assert refusal(with_payload(token, {**fields, **change})) == "bad_signature", change


def test_a_leg_ticket_does_not_open_a_call_page_nor_a_join_ticket_a_phone_stream():
    leg = sign_ticket(ticket(participant=Participant.user(7).phone()), SECRET)
    join = sign_ticket(ticket(), SECRET)
    assert refusal(leg, kind=TicketKind.JOIN) == "wrong_channel"
    assert refusal(join, kind=TicketKind.LEG) == "wrong_channel"


def test_a_ticket_of_the_old_hand_signed_format_is_not_ours_any_more():
    # "v1.<payload>.<HMAC>", before tickets were signed by itsdangerous: short-lived, simply refused.
    old = "v1.eyJib29raW5nX2lkIjo0Mn0.c2lnbmF0dXJl"
    assert refusal(old) == "bad_signature"


def test_a_payload_we_signed_that_names_nobody_is_damaged_not_a_crash():
    # Only the holder of the secret could make one; the reader still answers with a refusal.
    fields = payload_of(sign_ticket(ticket(), SECRET))
    signer = Signer(SECRET, salt=TicketKind.JOIN.salt, key_derivation="hmac", digest_method=hashlib.sha256)
    for change in ({"participant": "admin-7"}, {"role": "judge"}, {"booking_id": "x"}, {"nonce": None}):
        payload = base64.urlsafe_b64encode(json.dumps({**fields, **change}).encode()).rstrip(b"=")
        assert refusal(signer.sign(payload).decode()) == "malformed", change


@pytest.mark.parametrize("token", ["", "garbage", "v1.only-two", "v2.a.b", "a.b.c.d", "é.ü", None, 42])
def test_garbage_is_malformed_or_unsigned_never_an_exception_of_another_kind(token):
    assert refusal(token) in {"malformed", "bad_signature"}


@pytest.mark.parametrize("token", ["", "garbage", None, 42])
def test_what_is_not_even_shaped_like_a_ticket_is_malformed(token):
    assert refusal(token) == "malformed"


def test_a_ticket_needs_a_name_a_room_and_a_span_in_order():
    with pytest.raises(ValueError, match="display_name"):
        ticket(display_name="")
    with pytest.raises(ValueError, match="room"):
        ticket(room="")
    with pytest.raises(ValueError, match="expires_at"):
        replace(ticket(), expires_at=START - timedelta(hours=1))
