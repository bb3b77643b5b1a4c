"""When each kind of message is due and until when it is still worth sending.

Due times are computed in UTC from the booking's instants, never from local wall clocks, so a
DST change between booking and session moves nothing. Whether a due message still goes out is
decided here once (`why_not_send`), from plain values the dispatcher gathers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rris.access.domain.case_access import Disclosure
from rris.enums import BookingState
from rris.enums import NotificationKind as K

REMINDER_LEADS: dict[K, timedelta] = {
    K.REMINDER_24H: timedelta(hours=24),
    K.REMINDER_1H: timedelta(hours=1),
    K.JOIN_NOW: timedelta(minutes=10),
}
UNFILLED_ALERT_LEADS: dict[K, timedelta] = {
    K.UNFILLED_24H: timedelta(hours=24),
    K.UNFILLED_2H: timedelta(hours=2),
}
NO_SHOW_AFTER = timedelta(minutes=10)

CALENDAR_KINDS = frozenset({K.INVITATION, K.INVITATION_CANCEL})
UNFILLED_KINDS = frozenset({K.UNFILLED, *UNFILLED_ALERT_LEADS})
# A booking whose session is on: confirmed, or under way.
LIVE_STATES = frozenset({BookingState.CONFIRMED, BookingState.IN_PROGRESS})


@dataclass(frozen=True)
class Timing:
    """When a message falls due and the last moment it is still worth sending."""

    due_at: datetime
    useful_until: datetime

    def __post_init__(self) -> None:
        if self.useful_until < self.due_at:
            raise ValueError("useful_until must not be before due_at")

    def pending_at(self, now: datetime) -> bool:
        """True while the message has not fallen due yet."""
        return now < self.due_at

    def useful_at(self, now: datetime) -> bool:
        """True while sending still helps the recipient."""
        return now < self.useful_until


def reminder_timing(kind: K, starts_at: datetime, ends_at: datetime) -> Timing:
    """A reminder is useful until the next one takes over; "join now" until the session ends."""
    due = starts_at - REMINDER_LEADS[kind]
    if kind is K.REMINDER_24H:
        return Timing(due, starts_at - REMINDER_LEADS[K.REMINDER_1H])
    if kind is K.REMINDER_1H:
        return Timing(due, starts_at - REMINDER_LEADS[K.JOIN_NOW])
    return Timing(due, ends_at)


def unfilled_alert_timing(kind: K, starts_at: datetime) -> Timing:
    """The T-24 h alert is useful until the T-2 h one; that one until the session starts."""
    due = starts_at - UNFILLED_ALERT_LEADS[kind]
    if kind is K.UNFILLED_24H:
        return Timing(due, starts_at - UNFILLED_ALERT_LEADS[K.UNFILLED_2H])
    return Timing(due, starts_at)


def immediate_timing(now: datetime, until: datetime) -> Timing:
    """Due at once, useful until `until` (never before now)."""
    return Timing(now, max(now, until))


@dataclass(frozen=True)
class MessageFacts:
    """What decides whether a due message still goes out, as plain values read at sending time."""

    kind: K
    version: int  # the row's: booking version, calendar sequence, offer wave or conflict id
    useful_until: datetime
    channel: str  # how it travels, named for the reason it is held back
    recipient_active: bool
    reachable: bool  # the channel still reaches the recipient (an SMS needs a verified phone and consent)
    interpreter: bool  # the recipient is an interpreter
    shown: Disclosure  # what the recipient may be told now (`rris.access.domain.case_access`, `in_message`)
    takes_part: bool  # the recipient is one of the session's participants
    booking_state: BookingState
    booking_version: int
    calendar_sequence: int
    offer_wave: int
    conflict_open: bool  # for a conflict alert: that conflict is still unresolved


def why_not_send(facts: MessageFacts, now: datetime) -> str | None:
    """Why a due message must not go out any more, or None when it is still worth sending."""
    kind = facts.kind
    if now >= facts.useful_until:
        return "too late to be useful"
    if not facts.recipient_active:
        return "the recipient's account is inactive"
    if not facts.reachable:
        return f"the recipient no longer takes {facts.channel}"
    if facts.interpreter:
        # What an interpreter may be told follows what they may see now; a cancellation only
        # takes back the calendar entry they were sent.
        if kind is K.OFFER:
            return None if facts.shown is Disclosure.OFFER else "the offer is no longer open"
        if kind is not K.INVITATION_CANCEL and not facts.shown.job_is_theirs:
            return "the recipient no longer holds the job"
    if kind in CALENDAR_KINDS:
        return None if facts.version == facts.calendar_sequence else "superseded by a newer invitation"
    if kind in REMINDER_LEADS:
        state = facts.booking_state
        live = state is BookingState.CONFIRMED or (kind is K.JOIN_NOW and state in LIVE_STATES)
        if not live or facts.version != facts.booking_version:
            return "the booking is no longer confirmed for that time"
        return None if facts.takes_part else "the recipient no longer takes part"
    if kind in UNFILLED_KINDS:
        still = facts.booking_state is BookingState.UNFILLED and facts.offer_wave == facts.version
        return None if still else "the booking is no longer unfilled"
    if kind is K.CONFLICT:
        still = facts.conflict_open and facts.booking_state in LIVE_STATES
        return None if still else "the conflict is resolved"
    if kind is K.NO_SHOW:
        return None if facts.booking_state in LIVE_STATES else "an outcome is recorded already"
    return None
