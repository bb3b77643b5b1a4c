"""Join tickets: signed, short-lived permission for one participant to enter one call.

The portal signs a ticket for a person it has checked; the signalling service reads it with
the shared secret and no database. A ticket names the room (random, never derived from the
booking), the participant and their role, and the span it is valid in: from 15 minutes
before the session until its end plus a grace period. Pure: HMAC over canonical JSON.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from rris.domain.call_participants import Participant
from rris.enums import CallRole

OPENS_BEFORE_START = timedelta(minutes=15)
GRACE_AFTER_END = timedelta(minutes=30)
DISPLAY_NAME_MAX_CHARS = 80
_VERSION = "v1"


class TicketRejected(ValueError):
    """The ticket cannot be used; `reason` is a short code the signalling service reports."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CallTicket:
    """Who may join which room, as what, and when."""

    room: str
    booking_id: int
    participant: Participant  # one live connection per participant
    role: CallRole
    display_name: str
    not_before: datetime
    expires_at: datetime
    nonce: str  # unique per ticket: lets the service refuse a ticket replayed after its holder left

    def __post_init__(self) -> None:
        if not self.room or not self.nonce:
            raise ValueError("room and nonce must not be empty")
        if not isinstance(self.participant, Participant):
            raise ValueError(f"participant must be a Participant, not {self.participant!r}")
        if self.not_before.tzinfo is None or self.expires_at.tzinfo is None:
            raise ValueError("not_before and expires_at must be aware instants")
        if self.expires_at <= self.not_before:
            raise ValueError("expires_at must come after not_before")
        if not 0 < len(self.display_name) <= DISPLAY_NAME_MAX_CHARS:
            raise ValueError(f"display_name must have 1 to {DISPLAY_NAME_MAX_CHARS} characters")


def valid_span(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When tickets for a session work: 15 minutes before the start until the end plus the grace."""
    return starts_at - OPENS_BEFORE_START, ends_at + GRACE_AFTER_END


def sign_ticket(ticket: CallTicket, secret: str) -> str:
    """The ticket as a compact, tamper-evident string."""
    fields = asdict(ticket)
    fields["participant"] = ticket.participant.encode()
    fields["role"] = ticket.role.value
    fields["not_before"] = int(ticket.not_before.timestamp())
    fields["expires_at"] = int(ticket.expires_at.timestamp())
    body = _b64(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())
    return f"{_VERSION}.{body}.{_signature(body, secret)}"


def read_ticket(token: str, secret: str, now: datetime) -> CallTicket:
    """The ticket if the signature is ours and `now` lies in its span; TicketRejected otherwise."""
    try:
        version, body, signature = token.split(".")
    except (AttributeError, ValueError):
        raise TicketRejected("malformed", "This is not a join ticket.") from None
    if version != _VERSION or not hmac.compare_digest(signature, _signature(body, secret)):
        raise TicketRejected("bad_signature", "This join ticket was not issued by RRIS.")
    try:
        fields = json.loads(_unb64(body))
        ticket = CallTicket(
            room=fields["room"],
            booking_id=int(fields["booking_id"]),
            participant=Participant.parse(fields["participant"]),
            role=CallRole(fields["role"]),
            display_name=fields["display_name"],
            not_before=datetime.fromtimestamp(fields["not_before"], UTC),
            expires_at=datetime.fromtimestamp(fields["expires_at"], UTC),
            nonce=fields["nonce"],
        )
    except (KeyError, TypeError, ValueError):
        raise TicketRejected("malformed", "This join ticket is damaged.") from None
    if now < ticket.not_before:
        raise TicketRejected("too_early", "The call opens 15 minutes before the session starts.")
    if now >= ticket.expires_at:
        raise TicketRejected("expired", "This join ticket has expired; open the session page again.")
    return ticket


def _signature(body: str, secret: str) -> str:
    key = hashlib.sha256(b"rris call ticket|" + secret.encode()).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
