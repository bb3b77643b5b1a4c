"""When an on-demand request goes to the telephone: after it has waited `after_seconds` with nobody
answering, the phones of on-call interpreters are called one at a time, best first.

A phone ring lasts `PHONE_RING_SECONDS`: Twilio rings a phone for 60 s, the prompt takes a few
more, and pressing a key must still find the ring live. Each interpreter's phone is called at most
once per request, and never by one who declined the request on her page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, Signer

from rris.settings import Settings

PHONE_RING_SECONDS = 90
# Once she picked up, the prompt said twice and the wait for a key take well under this.
PROMPT_SECONDS = 60
# The one key that takes the call; any other key declines it.
ACCEPT_DIGIT = "1"


@dataclass(frozen=True)
class PhoneEscalation:
    """How long a request waits before phones are called; 0 turns the escalation off."""

    after_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> PhoneEscalation:
        """The escalation of these settings."""
        return cls(after_seconds=settings.ondemand_phone_after_seconds)

    @property
    def enabled(self) -> bool:
        """False when phones are never called."""
        return self.after_seconds > 0

    def waited_since(self, now: datetime) -> datetime:
        """Requests made at or before this instant have waited long enough for the phone."""
        return now - timedelta(seconds=self.after_seconds)


def phone_ring_lapsed(rung_at: datetime, answered_at: datetime | None, now: datetime) -> bool:
    """True once a phone ring went unanswered for `PHONE_RING_SECONDS`, or, picked up, brought no
    key within `PROMPT_SECONDS` (should Twilio's report of the call's end never come)."""
    if answered_at is None:
        return now - rung_at >= timedelta(seconds=PHONE_RING_SECONDS)
    return now - answered_at >= timedelta(seconds=PROMPT_SECONDS)


def takes_the_call(digits: str | None) -> bool:
    """True when the key pressed takes the call (1); anything else, or nothing, declines it."""
    return (digits or "").strip() == ACCEPT_DIGIT


# A simulated escalation call (no Twilio account) is answered on a page whose address carries
# this signed token in place of Twilio's signature.
_SIMULATED_SALT = "rris.simulated-escalation"


def sign_simulated_call(leg_id: int, secret: str) -> str:
    """The token that lets the simulated phone of this leg press a key."""
    return Signer(secret, salt=_SIMULATED_SALT).sign(str(leg_id)).decode()


def read_simulated_call(token: str, leg_id: int, secret: str) -> bool:
    """True when `token` was signed with `secret` for exactly this leg."""
    try:
        return Signer(secret, salt=_SIMULATED_SALT).unsign(token).decode() == str(leg_id)
    except BadData:
        return False
