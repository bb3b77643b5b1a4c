"""What every channel provides the dispatcher, and how a channel reports a failed hand-over."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from rris.access.domain.case_access import Disclosure
from rris.accounts.models.accounts import User
from rris.enums import NotificationKind
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.models.notifications import Notification
from rris.notifications.services.messages import Letterhead

Message = TypeVar("Message")


class TryLater(Exception):
    """The provider could not take the message now; worth another try."""


class Refused(Exception):
    """The provider refused the message for good."""


class MaybeDelivered(Exception):
    """The message was handed over but no answer came: it may have arrived; never send it again."""


@dataclass(frozen=True)
class Draft:
    """One due message the dispatcher found still worth sending, with what it learned deciding so."""

    row: Notification
    now: datetime
    shown: Disclosure  # what the recipient may be told (`rris.access.domain.case_access`, `in_message`)
    conflict: BookingConflict | None  # the conflict a conflict alert is about
    letterhead: Letterhead


# Hands one message to the provider and returns its id, or raises TryLater, Refused or MaybeDelivered.
Send = Callable[[Message], str]


@dataclass(frozen=True)
class DeliveryChannel(Generic[Message]):
    """One way a message travels: which kinds it carries, whom it reaches, how it words a message
    and how it sends one (`session` opens what a dispatcher run shares, one SMTP connection say)."""

    label: str  # as it reads in the reason a message is held back: "e-mail", "SMS"
    kinds: frozenset[NotificationKind]
    reaches: Callable[[User], bool]
    compose: Callable[[Draft], Message]
    session: Callable[[], AbstractContextManager[Send[Message]]]
