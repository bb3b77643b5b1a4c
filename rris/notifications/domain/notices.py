"""When each kind of message is due and until when it is still worth sending.

Due times are computed in UTC from the booking's instants, never from local wall clocks, so a
DST change between booking and session moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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

# Kinds that also go by SMS to people with a verified phone who opted in.
SMS_KINDS = frozenset({K.OFFER, K.REMINDER_24H, K.REMINDER_1H, K.JOIN_NOW})
CALENDAR_KINDS = frozenset({K.INVITATION, K.INVITATION_CANCEL})


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
