"""Call tickets: signed, short-lived permission for one participant to enter one call.

The portal signs a ticket for a person it has checked; the signalling service reads it with
the shared secret and no database. A ticket names the room (random, never derived from the
booking), the participant and their role, and the span it is valid in: from 15 minutes
before the session until its end plus a grace period.

Two kinds: a join ticket lets a call page in (a person or a guest in a browser, on /calls/ws);
a leg ticket lets a telephone leg's media stream in (on /phone/stream, and the bridge it starts).
itsdangerous signs them, as it signs password resets, with a salt per kind, so that one kind
never passes as the other. The span is in the payload and checked against the reader's clock.
The payload is readable by whoever holds the ticket: signed, not encrypted. Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from itsdangerous import BadData, BadSignature, Signer
from itsdangerous.encoding import base64_decode, base64_encode

from rris.calls.domain.call_participants import Participant
from rris.enums import CallRole

OPENS_BEFORE_START = timedelta(minutes=15)
GRACE_AFTER_END = timedelta(minutes=30)
DISPLAY_NAME_MAX_CHARS = 80


class TicketKind(StrEnum):
    """Which door a ticket opens."""

    JOIN = "join"  # a call page's WebSocket
    LEG = "leg"  # a telephone leg's media stream

    @property
    def salt(self) -> str:
        return f"rris.call-ticket.{self.value}"


class TicketRejected(ValueError):
    """The ticket cannot be used; `reason` is a short code the signalling service reports, and
    `locale` the locale the ticket names when its signature held (to word the refusal in)."""

    def __init__(self, reason: str, message: str, locale: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.locale = locale


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

    @property
    def kind(self) -> TicketKind:
        """A telephone leg's ticket is a leg ticket; everyone else's a join ticket."""
        return TicketKind.LEG if self.participant.is_phone else TicketKind.JOIN


def valid_span(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When tickets for a session work: 15 minutes before the start until the end plus the grace."""
    return starts_at - OPENS_BEFORE_START, ends_at + GRACE_AFTER_END


def sign_ticket(ticket: CallTicket, secret: str) -> str:
    """The ticket as a compact, tamper-evident string: "<payload>.<signature>", URL-safe."""
    fields = asdict(ticket)
    fields["participant"] = ticket.participant.encode()
    fields["role"] = ticket.role.value
    fields["not_before"] = int(ticket.not_before.timestamp())
    fields["expires_at"] = int(ticket.expires_at.timestamp())
    return seal(fields, secret, ticket.kind.salt)


def seal(fields: Mapping[str, object], secret: str, salt: str) -> str:
    """JSON fields as "<payload>.<signature>", URL-safe, signed with the secret under this salt."""
    payload = base64_encode(json.dumps(fields, sort_keys=True, separators=(",", ":")))
    return ticket_signer(secret, salt).sign(payload).decode()


def read_ticket(token: object, secret: str, now: datetime, kind: TicketKind) -> CallTicket:
    """The ticket if it is a ticket of this kind signed with our secret and `now` lies in its
    span; TicketRejected otherwise, its reason one of malformed, bad_signature, wrong_channel (a
    good ticket of the other kind), too_early or expired."""
    if not isinstance(token, str) or "." not in token:
        raise TicketRejected("malformed", "This is not a join ticket.")
    try:
        payload = ticket_signer(secret, kind.salt).unsign(token)
    except BadSignature:
        if any(ticket_signer(secret, other.salt).validate(token) for other in TicketKind if other is not kind):
            raise TicketRejected("wrong_channel", "This ticket is not for this kind of connection.") from None
        raise TicketRejected("bad_signature", "This join ticket was not issued by RRIS.") from None
    try:
        fields = json.loads(base64_decode(payload))
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
    except (BadData, KeyError, TypeError, ValueError):
        raise TicketRejected("malformed", "This join ticket is damaged.") from None
    if now < ticket.not_before:
        raise TicketRejected("too_early", "The call opens 15 minutes before the session starts.")
    if now >= ticket.expires_at:
        raise TicketRejected("expired", "This join ticket has expired; open the session page again.")
    return ticket


def ticket_signer(secret: str, salt: str) -> Signer:
    """The signer of every RRIS ticket: HMAC-SHA256 of the shared secret, one salt per kind."""
    return Signer(secret, salt=salt, key_derivation="hmac", digest_method=hashlib.sha256)
