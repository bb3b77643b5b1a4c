"""Reading and wording a batch of due messages at once, each with what its claim must find unchanged.

A batch's rows, their bookings (with assignments, offers and the people in them), recipients and
conflicts are read together in a handful of queries, checked (`why_not_send`) and worded in one
read transaction. Each outcome carries its `Guard`: the booking's and the recipient's columns that
every change to what the message says moves, read with it. The dispatcher claims or settles a
message only under the booking's lock and only while its guard still holds; a message whose guard
moved stays pending and is read and worded again, so nothing worded from a stale booking goes out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import lasting_disclosure_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.enums import Channel, NotificationKind, NotificationState
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.domain.notices import MessageFacts, why_not_send
from rris.notifications.models.notifications import Notification
from rris.notifications.queries.notices import participants
from rris.notifications.services.channels import CHANNELS
from rris.notifications.services.channels.base import DeliveryChannel, Draft
from rris.notifications.services.messages import Letterhead
from rris.pool.models.interpreters import InterpreterProfile

log = logging.getLogger(__name__)

# What a message's wording and its check depend on, as the claim reads it again under the
# booking's lock: the booking's version, calendar sequence, offer wave, state and last change
# (the services that change a booking's state, time, people or offers set it), the recipient's
# account version and whether it is active, and for a conflict alert when its conflict was resolved.
GUARD_COLUMNS = (
    Booking.version,
    Booking.calendar_sequence,
    Booking.offer_wave,
    Booking.state,
    Booking.updated_at,
    User.version,
    User.active,
    BookingConflict.resolved_at,
)


@dataclass(frozen=True)
class Guard:
    """The values of `GUARD_COLUMNS` a message was worded from, and the row they belong to."""

    notification_id: int
    booking_id: int
    values: tuple[Any, ...]

    def holds(self, now_values: tuple[Any, ...] | None) -> bool:
        """True when the values read again under the lock are the ones the message was worded from."""
        return now_values == self.values


@dataclass(frozen=True)
class Worded:
    """A due message still worth sending, worded, waiting to be claimed."""

    guard: Guard
    channel: Channel
    message: Any
    attempts: int  # its attempts once claimed
    due_at: datetime  # a batch may be worded before it falls due; none is sent before
    useful_until: datetime


@dataclass(frozen=True)
class Settled:
    """A due message that will not go out: skipped (no longer useful) or failed (could not be worded)."""

    guard: Guard
    state: NotificationState
    outcome: str


def word_batch(ids: list[int], now: datetime, letterhead: Letterhead) -> list[Worded | Settled]:
    """The rows of `ids` still pending, read together, checked and worded as of `now`, in the order
    of `ids`, in the session's transaction (the caller ends it). Rows gone or no longer pending are left out."""
    rows = {
        row.id: row for row in db.session.scalars(_FOR_WORDING, {"ids": ids}) if row.state is NotificationState.PENDING
    }
    conflict_ids = [row.version for row in rows.values() if row.kind is NotificationKind.CONFLICT]
    conflicts = {conflict.id: conflict for conflict in db.session.scalars(_CONFLICTS, {"ids": conflict_ids})}
    return [_decide(rows[row_id], now, letterhead, conflicts) for row_id in ids if row_id in rows]


def guards_now(notification_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """`GUARD_COLUMNS` of the rows' bookings, recipients and conflicts, the bookings locked for this
    write transaction (after `begin_write`; FOR UPDATE OF bookings on PostgreSQL, in id order)."""
    return {row[0]: tuple(row[1:]) for row in db.session.execute(_GUARDS, {"ids": notification_ids})}


def _decide(
    row: Notification, now: datetime, letterhead: Letterhead, conflicts: dict[int, BookingConflict]
) -> Worded | Settled:
    way = CHANNELS[row.channel]
    conflict = conflicts.get(row.version) if row.kind is NotificationKind.CONFLICT else None
    draft = Draft(
        row=row,
        now=now,
        shown=lasting_disclosure_of(row.booking, actor_of(row.recipient), now),
        conflict=conflict,
        letterhead=letterhead,
    )
    booking, recipient = row.booking, row.recipient
    values = (
        booking.version,
        booking.calendar_sequence,
        booking.offer_wave,
        booking.state,
        booking.updated_at,
        recipient.version,
        recipient.active,
        conflict.resolved_at if conflict is not None else None,
    )
    guard = Guard(notification_id=row.id, booking_id=row.booking_id, values=values)
    reason = why_not_send(_facts(draft, way), now)
    if reason:
        return Settled(guard, NotificationState.SKIPPED, reason)
    try:
        message = way.compose(draft)
    except Exception as error:  # a wording bug must not stop every later message
        log.exception("could not compose notification %s", row.id)
        return Settled(guard, NotificationState.FAILED, f"could not compose: {type(error).__name__}")
    return Worded(guard, row.channel, message, row.attempts + 1, row.due_at, row.useful_until)


def _facts(draft: Draft, way: DeliveryChannel[Any]) -> MessageFacts:
    """The plain values `why_not_send` decides on."""
    row, booking, recipient = draft.row, draft.row.booking, draft.row.recipient
    return MessageFacts(
        kind=row.kind,
        version=row.version,
        useful_until=row.useful_until,
        channel=way.label,
        recipient_active=recipient.active,
        reachable=way.reaches(recipient),
        interpreter=recipient.interpreter_profile is not None,
        shown=draft.shown,
        takes_part=recipient.id in {user.id for user in participants(booking)},
        booking_state=booking.state,
        booking_version=booking.version,
        calendar_sequence=booking.calendar_sequence,
        offer_wave=booking.offer_wave,
        conflict_open=draft.conflict is not None and draft.conflict.resolved_at is None,
    )


def _for_wording() -> Select[tuple[Notification]]:
    """The batch's rows with everything checking and wording them reads, a query per relation."""
    person = (joinedload(User.interpreter_profile), joinedload(User.department))
    return (
        select(Notification)
        .where(Notification.id.in_(bindparam("ids", expanding=True)))
        .options(
            selectinload(Notification.recipient).options(*person),
            selectinload(Notification.booking).options(
                joinedload(Booking.department),
                joinedload(Booking.country),
                joinedload(Booking.created_by),
                selectinload(Booking.assignments)
                .joinedload(Assignment.interpreter)
                .joinedload(InterpreterProfile.user)
                .joinedload(User.interpreter_profile),
                selectinload(Booking.offers).joinedload(Offer.interpreter),
            ),
        )
        .execution_options(populate_existing=True)
    )


# Built once: a statement keeps its cache key, which for these costs more to work out than to run.
_FOR_WORDING = _for_wording()
_CONFLICTS = (
    select(BookingConflict)
    .where(BookingConflict.id.in_(bindparam("ids", expanding=True)))
    .options(selectinload(BookingConflict.interpreter))
)
_GUARDS = (
    select(Notification.id, *GUARD_COLUMNS)
    .join(Booking, Booking.id == Notification.booking_id)
    .join(User, User.id == Notification.recipient_id)
    .outerjoin(
        BookingConflict,
        (BookingConflict.id == Notification.version) & (Notification.kind == NotificationKind.CONFLICT),
    )
    .where(Notification.id.in_(bindparam("ids", expanding=True)))
    .order_by(Booking.id)
    .with_for_update(of=Booking)
)
