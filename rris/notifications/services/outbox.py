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
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from rris.access.domain.case_access import Disclosure
from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import lasting_disclosure_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.common.services.transactions import begin_write, rows_changed
from rris.enums import BookingState, Channel, NotificationKind, NotificationState
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.domain.notices import REMINDER_LEADS
from rris.notifications.integrations.mail import MailDeliveryUncertain, MailSender, OutgoingMessage, current_mailer
from rris.notifications.integrations.sms import (
    OutgoingSms,
    SmsDeliveryUncertain,
    SmsPermanentError,
    SmsTemporaryError,
    current_sms_sender,
)
from rris.notifications.models.notifications import Notification
from rris.notifications.services.messages import Letterhead, compose_email, compose_sms
from rris.notifications.services.notifications import LIVE_STATES, participants, wants_sms
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import Clock

log = logging.getLogger(__name__)

K = NotificationKind
BATCH_SIZE = 200
# A failed send is tried again after these delays, while the message is still useful.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


class _Temporary(Exception):
    """The provider could not take the message now; worth another try."""


class _Permanent(Exception):
    """The provider refused the message for good."""


class _Uncertain(Exception):
    """The message was handed over but no answer came: it may have arrived; never send it again."""


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


def dispatch_due(
    clock: Clock, letterhead: Letterhead, budget: timedelta = timedelta(seconds=30), batch_size: int = BATCH_SIZE
) -> DispatchReport:
    """Send every due message under `letterhead`, oldest first, until none is due or the time budget is spent."""
    report = DispatchReport()
    started = clock.now()
    with current_mailer().session() as mail:  # one SMTP connection for the whole run
        while clock.now() - started < budget:
            ids = due_ids(clock.now(), batch_size)
            if not ids:
                break
            for notification_id in ids:
                outcome = dispatch_one(notification_id, clock, letterhead, mail)
                setattr(report, outcome, getattr(report, outcome) + 1)
                if clock.now() - started >= budget:
                    break
    return report


def due_ids(now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Pending messages whose time has come, oldest first."""
    statement = (
        select(Notification.id)
        .where(Notification.state == NotificationState.PENDING, Notification.due_at <= now)
        .order_by(Notification.due_at, Notification.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(statement))
    db.session.commit()  # end the read transaction: each row is claimed in its own write
    return ids


def dispatch_one(notification_id: int, clock: Clock, letterhead: Letterhead, mail: MailSender | None = None) -> str:
    """Claim, check, send and record one message; returns 'sent', 'skipped', 'failed', 'retried'
    or 'uncertain'. `mail` is an open mail session to reuse (default: the app's mailer)."""
    now = clock.now()
    begin_write()
    booking_id = db.session.scalar(select(Notification.booking_id).where(Notification.id == notification_id))
    if booking_id is None:
        db.session.commit()
        return "skipped"
    # The booking's lock first, as every writer of a booking takes it: the portal cannot skip
    # or revive this row while it is being claimed.
    db.session.scalar(select(Booking.id).where(Booking.id == booking_id).with_for_update())
    row = _load_for_sending(notification_id)
    if row.state is not NotificationState.PENDING:
        db.session.commit()
        return "skipped"
    reason = why_not_send(row, now)
    if reason:
        _finish(row, NotificationState.SKIPPED, now, reason)
        db.session.commit()
        return "skipped"
    try:
        message = compose_email(row, now, letterhead) if row.channel is Channel.EMAIL else compose_sms(row, letterhead)
    except Exception as error:  # a wording bug must not stop every later message
        log.exception("could not compose notification %s", row.id)
        _finish(row, NotificationState.FAILED, now, f"could not compose: {type(error).__name__}")
        db.session.commit()
        return "failed"
    row.state = NotificationState.SENDING
    row.claimed_at = now
    row.attempts += 1
    attempts, useful_until = row.attempts, row.useful_until
    db.session.commit()

    try:
        provider_id = _send(message, mail or current_mailer())
    except _Temporary as error:
        return _after_failure(notification_id, attempts, useful_until, clock.now(), str(error))
    except _Permanent as error:
        _record(notification_id, NotificationState.FAILED, clock.now(), str(error))
        return "failed"
    except _Uncertain as error:
        _record(notification_id, NotificationState.UNCERTAIN, clock.now(), str(error))
        log.warning("notification %s may or may not have arrived: %s", notification_id, error)
        return "uncertain"
    _record(notification_id, NotificationState.SENT, clock.now(), provider_id)
    return "sent"


def _load_for_sending(notification_id: int) -> Notification:
    """The row with everything checking and wording it reads, in a handful of queries."""
    person = (joinedload(User.interpreter_profile), joinedload(User.department))
    return db.session.scalars(
        select(Notification)
        .where(Notification.id == notification_id)
        .options(
            joinedload(Notification.recipient).options(*person),
            joinedload(Notification.booking).options(
                joinedload(Booking.department),
                joinedload(Booking.country),
                joinedload(Booking.created_by),
                selectinload(Booking.assignments)
                .joinedload(Assignment.interpreter)
                .joinedload(InterpreterProfile.user),
                selectinload(Booking.offers).joinedload(Offer.interpreter),
            ),
        )
        .execution_options(populate_existing=True)
    ).one()


def why_not_send(row: Notification, now: datetime) -> str | None:
    """Why a due message must not go out any more, or None when it should."""
    booking = row.booking
    recipient = row.recipient
    if now >= row.useful_until:
        return "too late to be useful"
    if not recipient.active:
        return "the recipient's account is inactive"
    if row.channel is Channel.SMS and not wants_sms(recipient):
        return "the recipient no longer takes SMS"
    kind = row.kind
    if recipient.interpreter_profile is not None:
        # What an interpreter may be told follows what they may see now (rris.access.domain.case_access);
        # a cancellation only takes back the calendar entry they were sent.
        shown = lasting_disclosure_of(booking, actor_of(recipient), now)
        if kind is K.OFFER:
            return None if shown is Disclosure.OFFER else "the offer is no longer open"
        if kind is not K.INVITATION_CANCEL and not shown.job_is_theirs:
            return "the recipient no longer holds the job"
    if kind in (K.INVITATION, K.INVITATION_CANCEL):
        return None if row.version == booking.calendar_sequence else "superseded by a newer invitation"
    if kind in REMINDER_LEADS:
        live = booking.state is BookingState.CONFIRMED or (kind is K.JOIN_NOW and booking.state in LIVE_STATES)
        if not live or row.version != booking.version:
            return "the booking is no longer confirmed for that time"
        if recipient.id not in {user.id for user in participants(booking)}:
            return "the recipient no longer takes part"
        return None
    if kind in (K.UNFILLED, K.UNFILLED_24H, K.UNFILLED_2H):
        still = booking.state is BookingState.UNFILLED and booking.offer_wave == row.version
        return None if still else "the booking is no longer unfilled"
    if kind is K.CONFLICT:
        conflict = db.session.get(BookingConflict, row.version)
        still = conflict is not None and conflict.resolved_at is None and booking.state in LIVE_STATES
        return None if still else "the conflict is resolved"
    if kind is K.NO_SHOW:
        return None if booking.state in LIVE_STATES else "an outcome is recorded already"
    return None


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


def _send(message: OutgoingMessage | OutgoingSms, mail: MailSender) -> str:
    if isinstance(message, OutgoingSms):
        try:
            return current_sms_sender().send(message)
        except SmsTemporaryError as error:
            raise _Temporary(str(error)) from error
        except SmsPermanentError as error:
            raise _Permanent(str(error)) from error
        except SmsDeliveryUncertain as error:
            raise _Uncertain(str(error)) from error
    try:
        mail.send(message)
    except MailDeliveryUncertain as error:
        raise _Uncertain(str(error)) from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise _Permanent(f"SMTP {error.smtp_code}") from error
        raise _Temporary(f"SMTP {error.smtp_code}") from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _reply in error.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            raise _Temporary(f"the mail server deferred the recipient ({codes[0]})") from error
        raise _Permanent(f"the mail server refused the recipient ({codes[0] if codes else '?'})") from error
    except (OSError, smtplib.SMTPException) as error:
        raise _Temporary(f"mail server unavailable: {type(error).__name__}") from error
    return "smtp"


def _after_failure(notification_id: int, attempts: int, useful_until: datetime, now: datetime, error: str) -> str:
    if attempts <= len(RETRY_DELAYS) and now + RETRY_DELAYS[attempts - 1] < useful_until:
        begin_write()
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.state == NotificationState.SENDING)
            .values(state=NotificationState.PENDING, due_at=now + RETRY_DELAYS[attempts - 1], outcome=error[:300])
        )
        db.session.commit()
        log.info("notification %s: %s; will try again", notification_id, error)
        return "retried"
    _record(notification_id, NotificationState.FAILED, now, error)
    log.warning("notification %s failed for good: %s", notification_id, error)
    return "failed"


def _record(notification_id: int, state: NotificationState, now: datetime, outcome: str) -> None:
    begin_write()
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.state == NotificationState.SENDING)
        .values(state=state, finished_at=now, outcome=outcome[:300])
    )
    db.session.commit()


def _finish(row: Notification, state: NotificationState, now: datetime, outcome: str) -> None:
    row.state = state
    row.finished_at = now
    row.outcome = outcome[:300]
