"""Who is in a call: a person in a browser, an invited guest, a person's phone, a caller who
dialled in. The portal names a participant in the tickets it signs; the signalling service keys
its rooms by them, and the call pages address their peers by them.

On the wire (tickets, signalling frames, call records) a participant is one string:
"user-7", "guest-3", "phone-user-7" (user 7's phone), "phone-dialin-12" (the caller on phone
leg 12). `Participant.encode` writes it and `Participant.parse` reads it; nothing else builds or
picks these strings apart. The call page's script adds "phone-" to its own id to find its phone
(static/js/call-rules.js, `phoneParticipantOf`): keep the two in step. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_ID = 10**18 - 1  # ids are database keys: at most 18 digits on the wire
_WIRE = re.compile(r"(?P<kind>[a-z-]+)-(?P<id>0|[1-9][0-9]{0,17})")


class ParticipantKind(StrEnum):
    """What kind of participant, as the prefix of its wire form."""

    USER = "user"  # a person with an account (officer or interpreter) in a browser; id: the user's
    GUEST = "guest"  # an invited guest in a browser; id: the invitation's
    PHONE = "phone-user"  # the verified phone of a person with an account, rung by RRIS; id: the user's
    CALLER = "phone-dialin"  # a caller who dialled in with the booking's PIN; id: the phone leg's


PHONE_KINDS = frozenset({ParticipantKind.PHONE, ParticipantKind.CALLER})


class MalformedParticipant(ValueError):
    """A string that does not name a call participant."""


@dataclass(frozen=True)
class Participant:
    """One participant of a call: its kind and the id of what it is (user, invitation, phone leg)."""

    kind: ParticipantKind
    id: int

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ParticipantKind):
            raise MalformedParticipant(f"kind must be a ParticipantKind, not {self.kind!r}")
        if isinstance(self.id, bool) or not isinstance(self.id, int) or not 0 <= self.id <= MAX_ID:
            raise MalformedParticipant(f"id must be a whole number from 0 to {MAX_ID}, not {self.id!r}")

    @classmethod
    def user(cls, user_id: int) -> Participant:
        """A person with an account, in a browser."""
        return cls(ParticipantKind.USER, user_id)

    @classmethod
    def guest(cls, guest_id: int) -> Participant:
        """An invited guest, in a browser."""
        return cls(ParticipantKind.GUEST, guest_id)

    @classmethod
    def caller(cls, leg_id: int) -> Participant:
        """The caller on a phone leg that dialled in with the booking's PIN."""
        return cls(ParticipantKind.CALLER, leg_id)

    @classmethod
    def parse(cls, text: object) -> Participant:
        """The participant a wire string names; MalformedParticipant saying what is expected otherwise."""
        match = _WIRE.fullmatch(text) if isinstance(text, str) else None
        kinds = {kind.value: kind for kind in ParticipantKind}
        if match is None or match["kind"] not in kinds:
            raise MalformedParticipant(
                "a participant must be 'user-<id>', 'guest-<id>', 'phone-user-<id>' or 'phone-dialin-<id>'"
                f" (id a whole number without leading zeros), not {text!r}"
            )
        return cls(kinds[match["kind"]], int(match["id"]))

    def encode(self) -> str:
        """The wire form: "user-7", "guest-3", "phone-user-7", "phone-dialin-12"."""
        return f"{self.kind.value}-{self.id}"

    def __str__(self) -> str:
        return self.encode()

    @property
    def is_phone(self) -> bool:
        """A telephone leg (a person's phone or a caller), bridged in by the signalling service."""
        return self.kind in PHONE_KINDS

    @property
    def user_id(self) -> int | None:
        """The account this participant is (in a browser) or whose phone it is; None otherwise."""
        return self.id if self.kind in (ParticipantKind.USER, ParticipantKind.PHONE) else None

    def phone(self) -> Participant:
        """This person's phone in the call: user 7 → user 7's phone. Only people with an account
        are rung."""
        if self.kind is not ParticipantKind.USER:
            raise MalformedParticipant(f"only a person with an account has a phone in the call, not {self}")
        return Participant(ParticipantKind.PHONE, self.id)

    def person(self) -> Participant | None:
        """Whose phone this is: user 7's phone → user 7; None for a caller who dialled in (nobody
        we know) and for anyone in a browser."""
        return Participant.user(self.id) if self.kind is ParticipantKind.PHONE else None
