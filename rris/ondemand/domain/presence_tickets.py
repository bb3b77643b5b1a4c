"""Presence tickets: signed, short-lived permission to open a live on-demand connection.

The portal signs one for a page it has checked: an interpreter's "available now" page (her
presence, her rings) or an officer's waiting page (one request's status). The signalling service
reads it on `/ondemand/ws` with the shared secret and no database. A ticket opens a connection
within two minutes of being made, checked against the reader's clock; the connection then lives on.

Signed like the call tickets (`rris.calls.domain.call_tickets`), with a salt of its own so that a
call ticket never passes for a presence ticket nor one for the other. The payload is readable by
whoever holds the ticket: signed, not encrypted. Pure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from itsdangerous import BadData, BadSignature
from itsdangerous.encoding import base64_decode

from rris.calls.domain.call_tickets import TicketKind, TicketRejected, seal, ticket_signer

PRESENCE_SALT = "rris.presence-ticket"
OPENS_FOR = timedelta(minutes=2)
CLOCK_SKEW = timedelta(seconds=30)  # a portal whose clock runs a little ahead of the reader's
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$")

__all__ = [
    "OPENS_FOR",
    "PresenceKind",
    "PresenceTicket",
    "TicketRejected",
    "read_presence_ticket",
    "sign_presence_ticket",
]


class PresenceKind(StrEnum):
    """Whose page holds the connection."""

    INTERPRETER = "interpreter"  # her presence and her rings
    OFFICER = "officer"  # the status of one on-demand request


@dataclass(frozen=True)
class PresenceTicket:
    """Who may open a live connection, for what, in which language, and until when."""

    kind: PresenceKind
    locale: str
    issued_at: datetime
    expires_at: datetime
    interpreter_id: int | None = None  # an interpreter's ticket: her profile
    user_id: int | None = None  # an officer's ticket: the officer
    call_id: int | None = None  # an officer's ticket: the OnDemandCall she follows

    def __post_init__(self) -> None:
        if not isinstance(self.kind, PresenceKind):
            raise ValueError(f"kind must be a PresenceKind, not {self.kind!r}")
        if not _LOCALE.match(self.locale):
            raise ValueError(f"locale must be a locale code such as fa_AF, not {self.locale!r}")
        if self.issued_at.tzinfo is None or self.expires_at.tzinfo is None:
            raise ValueError("issued_at and expires_at must be aware instants")
        if self.expires_at <= self.issued_at:
            raise ValueError("expires_at must come after issued_at")
        named = {"interpreter_id": self.interpreter_id, "user_id": self.user_id, "call_id": self.call_id}
        wanted = {"interpreter_id"} if self.kind is PresenceKind.INTERPRETER else {"user_id", "call_id"}
        for field, value in named.items():
            if field in wanted and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ValueError(f"{field} must be a positive id for an {self.kind.value}'s ticket")
            if field not in wanted and value is not None:
                raise ValueError(f"{field} has no place in an {self.kind.value}'s ticket")

    @classmethod
    def for_interpreter(cls, interpreter_id: int, locale: str, now: datetime) -> PresenceTicket:
        """An interpreter's ticket, made now and opening a connection for the next two minutes."""
        return cls(PresenceKind.INTERPRETER, locale, now, now + OPENS_FOR, interpreter_id=interpreter_id)

    @classmethod
    def for_officer(cls, user_id: int, call_id: int, locale: str, now: datetime) -> PresenceTicket:
        """An officer's ticket for following one request, made now, opening for two minutes."""
        return cls(PresenceKind.OFFICER, locale, now, now + OPENS_FOR, user_id=user_id, call_id=call_id)


def sign_presence_ticket(ticket: PresenceTicket, secret: str) -> str:
    """The ticket as a compact, tamper-evident string: "<payload>.<signature>", URL-safe."""
    fields: dict[str, object] = {
        "kind": ticket.kind.value,
        "locale": ticket.locale,
        "issued_at": int(ticket.issued_at.timestamp()),
        "expires_at": int(ticket.expires_at.timestamp()),
    }
    ids = {"interpreter_id": ticket.interpreter_id, "user_id": ticket.user_id, "call_id": ticket.call_id}
    fields.update({name: value for name, value in ids.items() if value is not None})
    return seal(fields, secret, PRESENCE_SALT)


def read_presence_ticket(token: object, secret: str, now: datetime) -> PresenceTicket:
    """The ticket if RRIS signed it as a presence ticket and `now` lies in its span;
    TicketRejected otherwise, its reason one of malformed, bad_signature, wrong_channel (a call
    ticket), too_early (made later than the reader's clock allows) or expired."""
    if not isinstance(token, str) or "." not in token:
        raise TicketRejected("malformed", "This is not a presence ticket.")
    try:
        payload = ticket_signer(secret, PRESENCE_SALT).unsign(token)
    except BadSignature:
        if any(ticket_signer(secret, kind.salt).validate(token) for kind in TicketKind):
            raise TicketRejected("wrong_channel", "A call ticket does not open a live on-demand connection.") from None
        raise TicketRejected("bad_signature", "This presence ticket was not issued by RRIS.") from None
    try:
        fields = json.loads(base64_decode(payload))
        ticket = PresenceTicket(
            kind=PresenceKind(fields["kind"]),
            locale=fields["locale"],
            issued_at=datetime.fromtimestamp(fields["issued_at"], UTC),
            expires_at=datetime.fromtimestamp(fields["expires_at"], UTC),
            interpreter_id=fields.get("interpreter_id"),
            user_id=fields.get("user_id"),
            call_id=fields.get("call_id"),
        )
    except (AttributeError, BadData, KeyError, TypeError, ValueError, OverflowError, OSError):
        raise TicketRejected("malformed", "This presence ticket is damaged.") from None
    if now < ticket.issued_at - CLOCK_SKEW:
        raise TicketRejected(
            "too_early", "This presence ticket is not valid yet; check the server clocks.", ticket.locale
        )
    if now >= ticket.expires_at:
        raise TicketRejected("expired", "This presence ticket has expired; reload the page.", ticket.locale)
    return ticket
