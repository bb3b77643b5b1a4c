"""Presence tickets: only RRIS can make one, each opens a live connection for two minutes by the
reader's clock, names exactly whom it is for, and a call ticket never passes for one."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import Signer

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket, valid_span
from rris.enums import CallRole
from rris.ondemand.domain.presence_tickets import (
    PresenceKind,
    PresenceTicket,
    TicketRejected,
    read_presence_ticket,
    sign_presence_ticket,
)

SECRET = "a-long-enough-secret-for-signing-presence-tickets"
NOW = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)


def refusal(token: object, moment: datetime = NOW, secret: str = SECRET) -> str:
    with pytest.raises(TicketRejected) as refused:
        read_presence_ticket(token, secret, moment)
    return refused.value.reason


def payload_of(token: str) -> dict:
    payload, _signature = token.split(".")
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def signed_as_presence(fields: object) -> str:
    """What only the holder of the secret could make: any payload under the presence salt."""
    signer = Signer(SECRET, salt="rris.presence-ticket", key_derivation="hmac", digest_method=hashlib.sha256)
    return signer.sign(base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=")).decode()


def test_an_interpreters_ticket_reads_back_as_made_and_carries_the_protocols_payload():
    ticket = PresenceTicket.for_interpreter(17, "ps", NOW)
    token = sign_presence_ticket(ticket, SECRET)
    assert read_presence_ticket(token, SECRET, NOW + timedelta(seconds=30)) == ticket
    assert payload_of(token) == {
        "kind": "interpreter",
        "interpreter_id": 17,
        "locale": "ps",
        "issued_at": int(NOW.timestamp()),
        "expires_at": int((NOW + timedelta(minutes=2)).timestamp()),
    }


def test_an_officers_ticket_names_her_and_the_request_she_follows():
    ticket = PresenceTicket.for_officer(5, 901, "sr_Latn", NOW)
    read = read_presence_ticket(sign_presence_ticket(ticket, SECRET), SECRET, NOW)
    assert (read.kind, read.user_id, read.call_id, read.interpreter_id, read.locale) == (
        PresenceKind.OFFICER,
        5,
        901,
        None,
        "sr_Latn",
    )


def test_a_ticket_opens_a_connection_for_two_minutes_by_the_readers_clock():
    token = sign_presence_ticket(PresenceTicket.for_interpreter(17, "fa_AF", NOW), SECRET)
    assert read_presence_ticket(token, SECRET, NOW + timedelta(minutes=2) - timedelta(seconds=1)).interpreter_id == 17
    assert refusal(token, NOW + timedelta(minutes=2)) == "expired"
    # The portal's clock may run a little ahead of the signalling service's, not minutes ahead.
    assert read_presence_ticket(token, SECRET, NOW - timedelta(seconds=20)).interpreter_id == 17
    assert refusal(token, NOW - timedelta(minutes=1)) == "too_early"


def test_a_ticket_signed_with_another_secret_or_retouched_is_refused():
    token = sign_presence_ticket(PresenceTicket.for_interpreter(17, "ps", NOW), SECRET)
    assert refusal(token, secret="another-secret-of-another-installation") == "bad_signature"
    payload, signature = token.split(".")
    other = sign_presence_ticket(PresenceTicket.for_interpreter(18, "ps", NOW), SECRET)
    assert refusal(other.split(".")[0] + "." + signature) == "bad_signature"
    assert refusal(payload + "." + signature[:-2]) == "bad_signature"


def test_a_call_ticket_does_not_open_a_live_on_demand_connection():
    opens, closes = valid_span(NOW, NOW + timedelta(hours=1))
    for participant in (Participant.user(7), Participant.user(7).phone()):
        call = CallTicket(
            room="r8Qk2vXn0aLpZ3",
            booking_id=42,
            participant=participant,
            role=CallRole.INTERPRETER,
            display_name="Mariam Ahmadzai",
            not_before=opens,
            expires_at=closes,
            nonce="n-1",
        )
        assert refusal(sign_ticket(call, SECRET)) == "wrong_channel"


@pytest.mark.parametrize("token", ["", "garbage", None, 42, ["a.b"]])
def test_what_is_not_even_shaped_like_a_ticket_is_malformed(token):
    assert refusal(token) == "malformed"


@pytest.mark.parametrize("token", ["a.b", "é.ü", "a.b.c.d", "v1.eyJ9.c2ln"])
def test_garbage_with_a_dot_is_refused_never_an_exception_of_another_kind(token):
    assert refusal(token) in {"malformed", "bad_signature"}


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "coordinator"},
        {"interpreter_id": "17"},
        {"interpreter_id": 0},
        {"interpreter_id": True},
        {"user_id": 5},  # an interpreter's ticket naming an officer too
        {"locale": "../../etc"},
        {"locale": 7},
        {"expires_at": "tomorrow"},
        {"expires_at": 2**62},
    ],
)
def test_a_payload_we_signed_that_names_nobody_or_two_people_is_damaged(change):
    fields = payload_of(sign_presence_ticket(PresenceTicket.for_interpreter(17, "ps", NOW), SECRET))
    assert refusal(signed_as_presence({**fields, **change})) == "malformed"


def test_an_officers_payload_without_its_request_is_damaged_and_a_list_is_no_payload():
    fields = payload_of(sign_presence_ticket(PresenceTicket.for_officer(5, 901, "tr", NOW), SECRET))
    del fields["call_id"]
    assert refusal(signed_as_presence(fields)) == "malformed"
    assert refusal(signed_as_presence(["interpreter", 17])) == "malformed"


def test_a_ticket_is_made_only_for_exactly_one_kind_of_holder():
    with pytest.raises(ValueError, match="interpreter_id"):
        PresenceTicket(PresenceKind.INTERPRETER, "ps", NOW, NOW + timedelta(minutes=2))
    with pytest.raises(ValueError, match="call_id"):
        PresenceTicket(PresenceKind.OFFICER, "ps", NOW, NOW + timedelta(minutes=2), user_id=5)
    with pytest.raises(ValueError, match="call_id"):
        PresenceTicket(PresenceKind.INTERPRETER, "ps", NOW, NOW + timedelta(minutes=2), interpreter_id=1, call_id=2)
    with pytest.raises(ValueError, match="expires_at"):
        PresenceTicket(PresenceKind.INTERPRETER, "ps", NOW, NOW, interpreter_id=1)
    with pytest.raises(ValueError, match="aware"):
        PresenceTicket.for_interpreter(1, "ps", NOW.replace(tzinfo=None))
