"""`kill -9` while webhooks are being delivered, then a restart: the receiver processes every
booking change exactly once by its webhook-id, whatever was in flight. Real scheduler processes,
a real HTTP receiver verifying with `standardwebhooks`, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from rris.app import create_app
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from rris.webhooks.domain.events import DeliveryState, WebhookEventType
from rris.webhooks.domain.signing_keys import new_secret
from rris.webhooks.models.webhooks import WebhookDelivery, WebhookEndpoint
from rris.webhooks.services.publishing import publish_booking_change
from tests import factories
from tests.support.ports import poll_until
from tests.support.scheduler import kill_left_over, migrate_database, scheduler_env, start_scheduler
from tests.support.webhook_receiver import WebhookReceiver

CHANGES = 60


def _queue_changes(app: Flask, url: str, now: datetime) -> str:
    """A Serbian department's endpoint and CHANGES confirmations queued for it; the endpoint's secret."""
    with app.app_context():
        sync_languages()
        department = factories.department("RS")
        focal_point = factories.user(Role.FOCAL_POINT, country=department.country)
        secret = new_secret()
        db.session.add(
            WebhookEndpoint(
                department=department, url=url, description="", events=WebhookEventType.CONFIRMED.value,
                secret=secret, active=True, failures_in_a_row=0, created_at=now, created_by_id=focal_point.id,
            )
        )
        db.session.flush()
        for _number in range(CHANGES):
            booking = factories.booking(department=department, state=BookingState.CONFIRMED)
            publish_booking_change(booking, "accept", BookingState.OFFERED, BookingState.CONFIRMED, now)
        db.session.commit()
        return secret


def _states(app: Flask) -> Counter[DeliveryState]:
    with app.app_context():
        states = Counter(db.session.scalars(select(WebhookDelivery.state)))
        db.session.remove()
        return states


def test_kill_9_mid_delivery_then_restart_processes_each_change_once(database_url: str, tmp_path: Path) -> None:
    receiver = WebhookReceiver(delay=0.05).start()  # slow enough for the kill to land mid-way
    env = scheduler_env(
        tmp_path, RRIS_DATABASE_URL=database_url, RRIS_WEBHOOK_ALLOW_LOOPBACK="true", RRIS_LOG_LEVEL="INFO"
    )
    migrate_database(database_url, tmp_path)
    app = create_app(Settings.from_env(env))
    receiver.secrets = [_queue_changes(app, receiver.url, datetime.now(UTC))]
    log = tmp_path / "scheduler.log"
    first = start_scheduler(env, log)
    second = None
    try:
        assert poll_until(lambda: len(receiver.received) >= 15 or first.poll() is not None, timeout=60), log.read_text()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert len(receiver.processed) < CHANGES, "the kill came after everything was delivered: it proves nothing"

        second = start_scheduler(env, log)
        settled = lambda: _states(app)[DeliveryState.DELIVERED] == CHANGES  # noqa: E731
        assert poll_until(settled, timeout=90), (_states(app), log.read_text()[-3000:])
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()[-3000:]
    finally:
        kill_left_over(first, second)
        receiver.stop()

    assert all(message.verified for message in receiver.received), "a message failed the signature check"
    assert len(receiver.processed) == CHANGES, "a change was lost"
    duplicates = len(receiver.received) - CHANGES
    assert 0 <= duplicates <= 1, "more than the one delivery in flight at the kill arrived twice"
    with app.app_context():
        db.engine.dispose()
