"""Who is told what about a booking: the one place that writes the outbox.

Services call `sync_booking_notifications` after every change to a booking, inside their
transaction. It compares the booking's state with the rows already in the outbox and adds,
revives or skips rows so the outbox says exactly what should still go out. The scheduler's
dispatcher (`rris.notifications.services.outbox`) sends them and checks once more that each is still useful.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.enums import BookingState, Channel, NotificationKind, NotificationState, OfferState, Role
from rris.extensions import db
from rris.notifications.domain.notices import (
    CALENDAR_KINDS,
    LIVE_STATES,
    REMINDER_LEADS,
    UNFILLED_ALERT_LEADS,
    UNFILLED_KINDS,
    Timing,
    immediate_timing,
    reminder_timing,
    unfilled_alert_timing,
)
from rris.notifications.models.notifications import Notification
from rris.notifications.queries.notices import participants
from rris.notifications.services.channels import channels_for

K = NotificationKind
SEARCHING_STATES = frozenset({BookingState.REQUESTED, BookingState.OFFERED, BookingState.UNFILLED})
_GONE = frozenset({NotificationState.SKIPPED, NotificationState.FAILED})
_ON_THE_WAY = frozenset({NotificationState.SENT, NotificationState.SENDING, NotificationState.UNCERTAIN})


def coordinators() -> list[User]:
    """Everyone who runs the pool and is told about unfilled bookings, conflicts and no-shows."""
    return list(
        db.session.scalars(select(User).where(User.role == Role.COORDINATOR, User.active.is_(True)).order_by(User.id))
    )


@dataclass
class _NewRow:
    """An outbox row this change adds: collected, then written in one INSERT with the others."""

    booking_id: int
    kind: K
    channel: Channel
    recipient_id: int
    version: int
    state: NotificationState
    created_at: datetime
    due_at: datetime
    useful_until: datetime
    attempts: int = 0
    outcome: str | None = None
    finished_at: datetime | None = None


class _Outbox:
    """The booking's outbox rows, loaded once, with the operations the rules need.

    New rows are not ORM objects: `write` inserts them all in one statement (the unit of work sent
    one INSERT per row on SQLite and built an object each), and nothing reads them back.
    """

    def __init__(self, booking: Booking, now: datetime, *, new_booking: bool = False) -> None:
        self.booking = booking
        self.now = now
        self.rows: list[Notification | _NewRow] = []
        if not new_booking:
            self.rows.extend(db.session.scalars(select(Notification).where(Notification.booking_id == booking.id)))
        self.new: list[_NewRow] = []
        self.by_key = {(row.kind, row.recipient_id, row.channel, row.version): row for row in self.rows}

    def ensure(self, kind: K, recipient: User, version: int, timing: Timing) -> None:
        """Queue the message by every channel that carries its kind and reaches the recipient, unless
        it exists; a skipped (never sent) one comes back to life."""
        for channel in channels_for(kind, recipient):
            row = self.by_key.get((kind, recipient.id, channel, version))
            if row is None:
                row = _NewRow(
                    booking_id=self.booking.id,
                    kind=kind,
                    channel=channel,
                    recipient_id=recipient.id,
                    version=version,
                    state=NotificationState.PENDING,
                    created_at=self.now,
                    due_at=timing.due_at,
                    useful_until=timing.useful_until,
                )
                self.rows.append(row)
                self.new.append(row)
                self.by_key[(kind, recipient.id, channel, version)] = row
            elif row.state is NotificationState.SKIPPED and timing.useful_at(self.now):
                row.state = NotificationState.PENDING
                row.due_at, row.useful_until = timing.due_at, timing.useful_until
                row.outcome = None
                row.finished_at = None

    def skip_pending(self, keep: Callable[[Notification | _NewRow], bool], why: str) -> None:
        """Skip every pending row for which `keep(row)` is false."""
        for row in self.rows:
            if row.state is NotificationState.PENDING and not keep(row):
                row.state = NotificationState.SKIPPED
                row.finished_at = self.now
                row.outcome = why

    def write(self) -> None:
        """Insert the new rows, all in one statement; changes to loaded rows go with the session's flush."""
        if self.new:
            db.session.execute(insert(Notification), [vars(row) for row in self.new])
            self.new = []


def sync_booking_notifications(booking: Booking, now: datetime, *, new_booking: bool = False) -> None:
    """Bring the booking's outbox in line with its state; the caller holds the booking's lock and commits.

    `new_booking`: the booking was created in this transaction, so it has no rows yet to read.
    """
    db.session.flush()
    outbox = _Outbox(booking, now, new_booking=new_booking)
    _sync_calendar(outbox)
    _sync_reminders(outbox)
    _sync_offers(outbox)
    _sync_unfilled_alerts(outbox)
    outbox.write()
    db.session.flush()


def _sync_calendar(outbox: _Outbox) -> None:
    """Invitations: a REQUEST to every participant when something they see changes, a CANCEL to
    whoever held the event and no longer takes part. While a moved booking looks for an
    interpreter, the caseworker keeps the event, marked tentative, at the new time."""
    booking, now = outbox.booking, outbox.now
    latest: dict[int, Notification | _NewRow] = {}
    for row in outbox.rows:
        known = latest.get(row.recipient_id)
        if row.kind in CALENDAR_KINDS and row.state not in _GONE and (known is None or row.version > known.version):
            latest[row.recipient_id] = row
    holding = {recipient_id for recipient_id, row in latest.items() if row.kind is K.INVITATION}
    if booking.state in LIVE_STATES:
        desired = participants(booking)
    elif booking.state in SEARCHING_STATES:
        desired = [booking.created_by] if booking.created_by_id in holding else []
    elif booking.state is BookingState.CANCELLED:
        desired = []
    else:
        return  # delivered or marked with an outcome: the calendars are history now
    desired_ids = {user.id for user in desired}
    tentative = booking.state in SEARCHING_STATES
    digest = _calendar_digest(booking, desired_ids, tentative)
    if digest == booking.calendar_digest and desired_ids == holding:
        return
    booking.calendar_sequence += 1
    booking.calendar_digest = digest
    sequence = booking.calendar_sequence
    outbox.skip_pending(lambda row: row.kind not in CALENDAR_KINDS, "superseded by a newer invitation")
    until = immediate_timing(now, booking.ends_at)
    for user in desired:
        outbox.ensure(K.INVITATION, user, sequence, until)
    for recipient_id in holding - desired_ids:
        if latest[recipient_id].state in _ON_THE_WAY:
            outbox.ensure(K.INVITATION_CANCEL, db.session.get_one(User, recipient_id), sequence, until)


def _calendar_digest(booking: Booking, attendee_ids: set[int], tentative: bool) -> str:
    facts = f"{booking.starts_at.isoformat()}|{booking.ends_at.isoformat()}|{tentative}|{sorted(attendee_ids)}"
    return hashlib.sha256(facts.encode()).hexdigest()


def _sync_reminders(outbox: _Outbox) -> None:
    """24 h, 1 h and "join now" reminders for each participant of a confirmed booking; none otherwise
    (but a "join now" still pending once the session started)."""
    booking, now = outbox.booking, outbox.now
    reminder_kinds = set(REMINDER_LEADS)
    if booking.state is not BookingState.CONFIRMED:
        # A started session still wants a "join now" that is on its way (a retry), as the dispatcher does.
        started = booking.state is BookingState.IN_PROGRESS
        outbox.skip_pending(
            lambda row: row.kind not in reminder_kinds or (started and row.kind is K.JOIN_NOW),
            "the booking is no longer confirmed",
        )
        return
    people = participants(booking)
    ids = {user.id for user in people}
    outbox.skip_pending(
        lambda row: row.kind not in reminder_kinds or (row.version == booking.version and row.recipient_id in ids),
        "the booking changed",
    )
    for user in people:
        for kind in REMINDER_LEADS:
            timing = reminder_timing(kind, booking.starts_at, booking.ends_at)
            if timing.pending_at(now):  # one already due at confirmation adds nothing to the invitation
                outbox.ensure(kind, user, booking.version, timing)


def _sync_offers(outbox: _Outbox) -> None:
    """A message to each interpreter with a pending offer; unsent ones go when the offer does."""
    booking, now = outbox.booking, outbox.now
    pending = [
        offer
        for offer in booking.offers
        if offer.state is OfferState.PENDING and offer.booking_version == booking.version
    ]
    pending_ids = {offer.interpreter.user_id for offer in pending}
    outbox.skip_pending(
        lambda row: row.kind is not K.OFFER or (row.recipient_id in pending_ids and row.version == booking.version),
        "the offer is no longer open",
    )
    for offer in pending:
        user = offer.interpreter.user
        outbox.ensure(K.OFFER, user, booking.version, immediate_timing(now, offer.expires_at))


def _sync_unfilled_alerts(outbox: _Outbox) -> None:
    """Coordinators (and the caseworker) hear at once when no one is left, coordinators again at T-24 h and T-2 h."""
    booking, now = outbox.booking, outbox.now
    if booking.state is not BookingState.UNFILLED or booking.starts_at <= now:
        outbox.skip_pending(lambda row: row.kind not in UNFILLED_KINDS, "the booking is no longer unfilled")
        return
    version = booking.offer_wave  # each time it runs out of candidates is a new event
    hub = coordinators()
    for user in [booking.created_by, *hub]:
        outbox.ensure(K.UNFILLED, user, version, immediate_timing(now, booking.starts_at))
    for kind in UNFILLED_ALERT_LEADS:
        timing = unfilled_alert_timing(kind, booking.starts_at)
        if timing.pending_at(now):
            for user in hub:
                outbox.ensure(kind, user, version, timing)


def tell_caseworker_and_coordinators(booking: Booking, kind: K, version: int, now: datetime, until: datetime) -> None:
    """Queue a one-off alert (a conflict, a no-show) to the booking's caseworker and every
    coordinator, worth sending until `until`; the caller commits."""
    outbox = _Outbox(booking, now)
    people = [booking.created_by, *coordinators()]
    for user in {user.id: user for user in people}.values():
        outbox.ensure(kind, user, version, immediate_timing(now, until))
    outbox.write()
