"""Confirmed bookings whose one-hour reminders fall due on the real clock, for scheduler processes
that read no test clock, and what of theirs reached the mail server."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from flask import Flask
from sqlalchemy import select

from rris.enums import BookingState, NotificationKind, NotificationState
from rris.extensions import db
from rris.notifications.domain.notices import REMINDER_LEADS
from rris.notifications.models.notifications import Notification
from rris.notifications.services.notifications import sync_booking_notifications
from tests import factories

# What a session causes: an invitation (with its calendar file) and a reminder to each participant.
KINDS = (NotificationKind.INVITATION, NotificationKind.REMINDER_1H)
# A message of a session as the mail server sees it: (recipient, kind, booking code).
Message = tuple[str, NotificationKind, str]


@dataclass(frozen=True)
class Session:
    """A confirmed booking of the test: its code, its two participants' addresses, its reminders' due time."""

    code: str
    booking_id: int
    recipients: tuple[str, str]
    reminder_due: datetime


def confirm_sessions(app: Flask, reminders_in: Sequence[timedelta]) -> list[Session]:
    """A confirmed booking per delay in `reminders_in`, each with a caseworker and an interpreter of
    its own (`…-<n>@reminders.example`), its outbox written by the product's own rules: the
    invitations due at once, the one-hour reminders due that long from now."""
    sessions = []
    with app.app_context():
        department = factories.department("RS")
        now = datetime.now(UTC)
        for number, delay in enumerate(reminders_in, start=1):
            due = now + delay
            starts = due + REMINDER_LEADS[NotificationKind.REMINDER_1H]
            caseworker = factories.user(department=department, email=f"caseworker-{number}@reminders.example")
            interpreter = factories.interpreter(on=starts.date(), email=f"interpreter-{number}@reminders.example")
            booking = factories.booking(
                department=department, starts_at=starts, state=BookingState.CONFIRMED, created_by=caseworker
            )
            factories.held(booking, interpreter)
            sync_booking_notifications(booking, now)
            sessions.append(Session(booking.code, booking.id, (caseworker.email, interpreter.user.email), due))
        db.session.commit()
        db.session.remove()
    return sessions


def expected(sessions: Iterable[Session]) -> set[Message]:
    """(recipient, kind, booking code) of every message the sessions must cause: an invitation and a reminder each."""
    return {(to, kind, session.code) for session in sessions for to in session.recipients for kind in KINDS}


def received(messages: Iterable[EmailMessage], sessions: Iterable[Session]) -> Counter[Message]:
    """How many times each of the sessions' messages reached the mail server, keyed as `expected`."""
    by_recipient = {to: session for session in sessions for to in session.recipients}
    counted: Counter[Message] = Counter()
    for message in messages:
        session = by_recipient.get(str(message["To"]))
        if session is None:
            continue  # the demo pool's mail, or another test's
        # Told apart by their parts, not their words: each reads in its recipient's language.
        calendar = any(part.get_content_type() == "text/calendar" for part in message.iter_attachments())
        kind = NotificationKind.INVITATION if calendar else NotificationKind.REMINDER_1H
        body = message.get_body(("plain",))
        assert body is not None and session.code in body.get_content(), "a message names another booking"
        counted[(str(message["To"]), kind, session.code)] += 1
    return counted


def outbox_states(app: Flask, sessions: Iterable[Session]) -> Counter[NotificationState]:
    """The states of the sessions' invitations and one-hour reminders in the outbox, read now (their
    "join now" reminders wait for their time, 50 minutes on)."""
    ids = [session.booking_id for session in sessions]
    rows = select(Notification.state).where(Notification.booking_id.in_(ids), Notification.kind.in_(KINDS))
    with app.app_context():
        states = Counter(db.session.scalars(rows))
        db.session.remove()
    return states


def kill_between_sends(pid: int, app: Flask, sessions: Iterable[Session], attempts: int = 50) -> None:
    """`kill -9` the scheduler `pid` at a moment when none of the sessions' messages is on its way
    (the in-flight one is marked uncertain, by design, not resent: `test_outbox_restart` covers it).
    The process is stopped first, so it cannot claim a message between the look and the kill, and
    the look waits a moment for a claim it had already written to the server to be committed."""
    rows = list(sessions)
    for _attempt in range(attempts):
        os.kill(pid, signal.SIGSTOP)
        time.sleep(0.05)
        if not outbox_states(app, rows)[NotificationState.SENDING]:
            os.kill(pid, signal.SIGKILL)
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.02)  # let it finish that message
    raise AssertionError("the scheduler was always in the middle of sending one of the messages")
