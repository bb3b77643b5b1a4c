"""Sending what the outbox holds: claim one due row, check it is still useful, send, record.

Delivery is at most once. A row is marked `sending` and committed before the message leaves,
and `sent` after; a dispatcher that dies in between leaves it `sending`, and the next one marks
it `uncertain` instead of sending it again. A message handed over whose answer never came
(the mail server or Twilio timed out after receiving it) is `uncertain` too, never retried:
only failures before the hand-over are tried again. The window is one message per dispatcher: the time
between the mail server or Twilio accepting it and our commit (milliseconds). A crash before
the provider accepted it loses that one message; it is listed as uncertain for the
coordinators, never silently repeated.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import lasting_disclosure_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.common.services.draining import drain_due, due_row_ids
from rris.common.services.transactions import begin_write, rows_changed
from rris.enums import Channel, NotificationKind, NotificationState
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.domain.notices import MessageFacts, why_not_send
from rris.notifications.models.notifications import Notification
from rris.notifications.queries.notices import participants
from rris.notifications.services.channels import CHANNELS
from rris.notifications.services.channels.base import DeliveryChannel, Draft, MaybeDelivered, Refused, Send, TryLater
from rris.notifications.services.messages import Letterhead
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import Clock

log = logging.getLogger(__name__)

K = NotificationKind
BATCH_SIZE = 200
# A failed send is tried again after these delays, while the message is still useful.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


@dataclass
class DispatchReport:
    """What one run of the dispatcher did."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    uncertain: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.failed + self.retried + self.uncertain


def dispatch_due(  # noqa: PLR0913 (how long a run may go on, and how it waits)
    clock: Clock,
    letterhead: Letterhead,
    budget: timedelta = timedelta(seconds=30),
    batch_size: int = BATCH_SIZE,
    lookahead: timedelta = timedelta(0),
    wait: Callable[[float], None] | None = None,
) -> DispatchReport:
    """Send every due message under `letterhead`, oldest first, until none is due or the time budget is spent.

    Given `wait` (seconds; `time.sleep` in the scheduler), a run that finds nothing more due waits
    for the next message falling due within `lookahead` and sends it at its time, instead of
    leaving it to the next run up to a poll interval late.
    """
    started = clock.now()
    outcomes: Counter[str] = Counter()
    with ExitStack() as run:  # what each channel shares for the whole run (one SMTP connection)
        senders = {channel: run.enter_context(way.session()) for channel, way in CHANNELS.items()}
        while True:
            outcomes.update(
                drain_due(
                    clock,
                    budget - (clock.now() - started),
                    lambda now: due_ids(now, batch_size),
                    lambda notification_id: dispatch_one(notification_id, clock, letterhead, senders),
                )
            )
            now = clock.now()
            if wait is None or now - started >= budget:  # else nothing was due when the drain stopped
                break
            upcoming = next_due(now + lookahead)
            if upcoming is None or upcoming - started >= budget:
                break
            wait(max((upcoming - now).total_seconds(), 0.0))
    return DispatchReport(**outcomes)


def due_ids(now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Pending messages whose time has come, oldest first."""
    return due_row_ids(Notification, NotificationState.PENDING, now, limit)


def next_due(until: datetime) -> datetime | None:
    """When the first pending message falls due, if by `until`; ends the read transaction."""
    pending = (Notification.state == NotificationState.PENDING, Notification.due_at <= until)
    due_at = db.session.scalar(select(func.min(Notification.due_at)).where(*pending))
    db.session.commit()
    return due_at


def dispatch_one(
    notification_id: int, clock: Clock, letterhead: Letterhead, senders: dict[Channel, Send[Any]] | None = None
) -> str:
    """Claim, check, send and record one message; returns 'sent', 'skipped', 'failed', 'retried'
    or 'uncertain'. `senders` are the channels' open sessions to reuse (default: one opened for it)."""
    now = clock.now()
    begin_write()
    # The booking's lock first, as every writer of a booking takes it: the portal cannot skip
    # or revive this row while it is being claimed.
    if db.session.scalar(_LOCK_BOOKING, {"notification_id": notification_id}) is None:
        db.session.commit()  # the row is gone with its booking
        return "skipped"
    row = db.session.scalars(_FOR_SENDING, {"notification_id": notification_id}).one()
    if row.state is not NotificationState.PENDING:
        db.session.commit()
        return "skipped"
    way = CHANNELS[row.channel]
    draft = _draft(row, now, letterhead)
    reason = why_not_send(_facts(draft, way), now)
    if reason:
        _finish(row, NotificationState.SKIPPED, now, reason)
        db.session.commit()
        return "skipped"
    try:
        message = way.compose(draft)
    except Exception as error:  # a wording bug must not stop every later message
        log.exception("could not compose notification %s", row.id)
        _finish(row, NotificationState.FAILED, now, f"could not compose: {type(error).__name__}")
        db.session.commit()
        return "failed"
    # Read before the commit, which expires the row: reading it after would load it again, eagerly.
    channel, attempts, useful_until = row.channel, row.attempts + 1, row.useful_until
    claimed = _change(
        notification_id, NotificationState.PENDING, state=NotificationState.SENDING, claimed_at=now, attempts=attempts
    )
    db.session.commit()
    if not claimed:  # cannot happen under the booking's lock; never send what was not claimed
        return "skipped"

    try:
        if senders is not None:
            provider_id = senders[channel](message)
        else:
            with way.session() as send:
                provider_id = send(message)
    except TryLater as error:
        return _after_failure(notification_id, attempts, useful_until, clock.now(), str(error))
    except Refused as error:
        _record(notification_id, NotificationState.FAILED, clock.now(), str(error))
        return "failed"
    except MaybeDelivered as error:
        _record(notification_id, NotificationState.UNCERTAIN, clock.now(), str(error))
        log.warning("notification %s may or may not have arrived: %s", notification_id, error)
        return "uncertain"
    _record(notification_id, NotificationState.SENT, clock.now(), provider_id)
    return "sent"


def _for_sending() -> Select[tuple[Notification]]:
    """The row with everything checking and wording it reads, in a handful of queries."""
    person = (joinedload(User.interpreter_profile), joinedload(User.department))
    return (
        select(Notification)
        .where(Notification.id == bindparam("notification_id"))
        .options(
            joinedload(Notification.recipient).options(*person),
            joinedload(Notification.booking).options(
                joinedload(Booking.department),
                joinedload(Booking.country),
                joinedload(Booking.created_by),
                selectinload(Booking.assignments)
                .joinedload(Assignment.interpreter)
                .joinedload(InterpreterProfile.user)
                .joinedload(User.interpreter_profile),  # kept when this path loads the recipient again
                selectinload(Booking.offers).joinedload(Offer.interpreter),
            ),
        )
        .execution_options(populate_existing=True)
    )


# Built once: a statement keeps its cache key, which for this one costs more to work out than to run.
_FOR_SENDING = _for_sending()
# The booking of the row, locked (FOR UPDATE OF bookings on PostgreSQL; SQLite's write lock is held already).
_LOCK_BOOKING = (
    select(Booking.id)
    .join(Notification, Notification.booking_id == Booking.id)
    .where(Notification.id == bindparam("notification_id"))
    .with_for_update(of=Booking)
)


def _draft(row: Notification, now: datetime, letterhead: Letterhead) -> Draft:
    """What sending the row depends on, read once: what its recipient may be told, its conflict."""
    shown = lasting_disclosure_of(row.booking, actor_of(row.recipient), now)
    conflict = db.session.get(BookingConflict, row.version) if row.kind is K.CONFLICT else None
    return Draft(row=row, now=now, shown=shown, conflict=conflict, letterhead=letterhead)


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


def mark_interrupted(now: datetime, older_than: timedelta = timedelta(0)) -> int:
    """Rows left `sending` by a dispatcher that died become `uncertain`: never sent twice."""
    stuck = (Notification.state == NotificationState.SENDING, Notification.claimed_at <= now - older_than)
    found = db.session.scalar(select(Notification.id).where(*stuck).limit(1))
    db.session.commit()
    if found is None:  # the usual case, checked every second: no write lock for nothing
        return 0
    begin_write()
    changed = rows_changed(
        update(Notification)
        .where(*stuck)
        .values(state=NotificationState.UNCERTAIN, finished_at=now, outcome="the dispatcher stopped while sending")
    )
    db.session.commit()
    if changed:
        log.warning("%d messages were being sent when the dispatcher stopped; marked uncertain", changed)
    return changed


def _after_failure(notification_id: int, attempts: int, useful_until: datetime, now: datetime, error: str) -> str:
    if attempts <= len(RETRY_DELAYS) and now + RETRY_DELAYS[attempts - 1] < useful_until:
        begin_write()
        retry_at = now + RETRY_DELAYS[attempts - 1]
        _change(
            notification_id,
            NotificationState.SENDING,
            state=NotificationState.PENDING,
            due_at=retry_at,
            outcome=error[:300],
        )
        db.session.commit()
        log.info("notification %s: %s; will try again", notification_id, error)
        return "retried"
    _record(notification_id, NotificationState.FAILED, now, error)
    log.warning("notification %s failed for good: %s", notification_id, error)
    return "failed"


def _record(notification_id: int, state: NotificationState, now: datetime, outcome: str) -> None:
    begin_write()
    _change(notification_id, NotificationState.SENDING, state=state, finished_at=now, outcome=outcome[:300])
    db.session.commit()


def _change(notification_id: int, was: NotificationState, **values: Any) -> bool:
    """Set `values` on the row if it is still in state `was`; whether it was. One UPDATE, no flush
    of loaded objects (the commit that follows expires them)."""
    return (
        rows_changed(
            update(Notification)
            .where(Notification.id == notification_id, Notification.state == was)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        == 1
    )


def _finish(row: Notification, state: NotificationState, now: datetime, outcome: str) -> None:
    row.state = state
    row.finished_at = now
    row.outcome = outcome[:300]
