"""`kill -9` in the middle of sending, then a restart: no reminder repeated, none lost but the
one (at most) that was in flight, which is marked uncertain; what the outage made useless is
skipped. Real scheduler processes, a real SMTP server, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rris.app import create_app
from rris.enums import BookingState, Channel, NotificationKind, NotificationState
from rris.extensions import db
from rris.notifications.models.notifications import Notification
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from tests import factories
from tests.support.ports import poll_until
from tests.support.scheduler import kill_left_over, migrate_database, scheduler_env, start_scheduler
from tests.support.smtp import Mailbox, SmtpServer

BOOKINGS = 250  # two reminders each: 500 messages to send
OVER = 20  # sessions that ended during the outage: their "join now" must not go out


class SlowMailbox(Mailbox):
    """A mail server that takes a few milliseconds per message, so the kill lands mid-dispatch."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.004)
        return await super().handle_DATA(server, session, envelope)


def _env(tmp_path: Path, database_url: str, smtp_port: int) -> dict[str, str]:
    return scheduler_env(
        tmp_path,
        RRIS_DATABASE_URL=database_url,
        RRIS_SMTP_HOST="127.0.0.1",
        RRIS_SMTP_PORT=str(smtp_port),
        RRIS_LOG_LEVEL="INFO",
    )


def _queue_reminders(app, now: datetime) -> None:
    """Confirmed sessions whose 1-hour reminder and "join now" fell due, plus some already over."""
    with app.app_context():
        sync_languages()
        department = factories.department("RS")
        for number in range(BOOKINGS + OVER):
            over = number >= BOOKINGS
            starts = now - timedelta(hours=2) if over else now + timedelta(minutes=50)
            caseworker = factories.user(department=department, email=f"caseworker{number}@dept.example")
            booking = factories.booking(
                department=department, starts_at=starts, minutes=60, state=BookingState.CONFIRMED,
                created_by=caseworker,
            )
            kinds = [NotificationKind.JOIN_NOW] if over else [NotificationKind.REMINDER_1H, NotificationKind.JOIN_NOW]
            for kind in kinds:
                reminder = kind is NotificationKind.REMINDER_1H
                useful_until = starts - timedelta(minutes=10) if reminder else starts + timedelta(hours=1)
                db.session.add(
                    Notification(
                        booking_id=booking.id, kind=kind, channel=Channel.EMAIL, recipient_id=caseworker.id,
                        version=booking.version, state=NotificationState.PENDING, created_at=now - timedelta(hours=3),
                        due_at=now - timedelta(minutes=1), useful_until=useful_until, attempts=0,
                    )
                )
        db.session.commit()


def _states(app) -> Counter[NotificationState]:
    with app.app_context():
        states = Counter(db.session.scalars(select(Notification.state)))
        db.session.remove()
        return states


def test_kill_9_mid_dispatch_then_restart_sends_each_reminder_once(database_url: str, tmp_path: Path) -> None:
    mailbox = SlowMailbox()
    server = SmtpServer()
    server.mailbox = mailbox
    server._controller.handler = mailbox
    port = server.start()
    migrate_database(database_url, tmp_path)
    app = create_app(Settings.from_env(_env(tmp_path, database_url, port)))
    _queue_reminders(app, datetime.now(UTC))
    env = _env(tmp_path, database_url, port)
    log = tmp_path / "scheduler.log"
    first = start_scheduler(env, log)
    second = None
    try:
        assert poll_until(lambda: len(mailbox.messages) >= 60 or first.poll() is not None, timeout=60), log.read_text()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = len(mailbox.messages)
        assert at_kill < 2 * BOOKINGS, "the kill came after everything was sent; the test proves nothing"

        second = start_scheduler(env, log)
        settled = lambda: not ({NotificationState.PENDING, NotificationState.SENDING} & set(_states(app)))  # noqa: E731
        assert poll_until(settled, timeout=90), (_states(app), log.read_text()[-3000:])
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()[-3000:]
    finally:
        kill_left_over(first, second)
        server.stop()

    received = Counter((message["To"], message["Subject"].split(":")[0]) for message in mailbox.messages)
    assert [key for key, times in received.items() if times > 1] == [], "a reminder was sent twice"
    states = _states(app)
    assert states[NotificationState.SKIPPED] == OVER, "a session that ended during the outage got its reminder"
    assert states[NotificationState.UNCERTAIN] <= 1
    assert states[NotificationState.SENT] + states[NotificationState.UNCERTAIN] == 2 * BOOKINGS
    assert len(received) >= states[NotificationState.SENT]
    assert len(received) <= 2 * BOOKINGS
    lost = 2 * BOOKINGS - len(received)
    assert lost <= states[NotificationState.UNCERTAIN], "a reminder was lost without being marked uncertain"
    with app.app_context():
        db.engine.dispose()
