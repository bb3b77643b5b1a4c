"""Sending what the webhook outbox holds: claim one due delivery, sign, POST, record the attempt.

Delivery is at least once, and exactly once for a receiver that keeps the `webhook-id`s it has
processed (the Standard Webhooks idempotency key): every try of one event, after a crash too,
carries the same `webhook-id` and the same body. A delivery is marked `sending` and committed
before the POST; a worker that dies before recording the answer leaves it `sending`, and the
next one puts it back to `pending` (`requeue_interrupted`): the receiver may then see the id a
second time, and must ignore it. Unlike e-mail (`rris.notifications.services.outbox`, at most
once), a webhook is never given up for an unknown outcome: a case system that misses a
cancellation is worse off than one that drops a duplicate by its id.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from rris.common.services.draining import drain_due, due_row_ids
from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db
from rris.settings import Settings
from rris.timeutil import Clock
from rris.webhooks.domain.addresses import addresses_problem, url_problem
from rris.webhooks.domain.delivery import DeliveryPolicy, delivered, retry_delay
from rris.webhooks.domain.events import DeliveryState
from rris.webhooks.domain.signing_keys import signing_secrets
from rris.webhooks.integrations.receivers import Answer, post, resolve
from rris.webhooks.integrations.signing import signed_headers
from rris.webhooks.models.webhooks import OUTCOME_MAX_CHARS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from rris.webhooks.services.endpoints import disable_for_failures

log = logging.getLogger(__name__)

BATCH_SIZE = 100
ENDPOINT_DISABLED = "the endpoint was disabled"


def policy_from(settings: Settings) -> DeliveryPolicy:
    """The delivery policy the settings describe."""
    return DeliveryPolicy(
        timeout_seconds=settings.webhook_timeout_seconds,
        max_attempts=settings.webhook_max_attempts,
        first_retry=timedelta(seconds=settings.webhook_retry_seconds),
        disable_after_failures=settings.webhook_disable_after,
        allow_loopback=settings.webhook_allow_loopback,
    )


@dataclass
class DeliveryReport:
    """What one run of the worker did."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.failed + self.skipped


@dataclass(frozen=True)
class _Claimed:
    """What the POST needs, read under the claim so the network call holds no transaction."""

    url: str
    body: str
    message_id: str
    secrets: list[str]
    attempts: int
    endpoint_id: int


def deliver_due(
    clock: Clock,
    policy: DeliveryPolicy,
    budget: timedelta = timedelta(seconds=20),
    jitter: Callable[[], float] = random.random,
) -> DeliveryReport:
    """Deliver every due webhook, oldest first, until none is due or the time budget is spent."""
    outcomes = drain_due(clock, budget, due_ids, lambda delivery_id: deliver_one(delivery_id, clock, policy, jitter))
    return DeliveryReport(**outcomes)


def due_ids(now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Pending deliveries whose time has come, oldest first."""
    return due_row_ids(WebhookDelivery, DeliveryState.PENDING, now, limit)


def deliver_one(
    delivery_id: int, clock: Clock, policy: DeliveryPolicy, jitter: Callable[[], float] = random.random
) -> str:
    """Claim, POST and record one delivery; returns 'delivered', 'retried', 'failed' or 'skipped'."""
    claimed = _claim(delivery_id, clock.now())
    if isinstance(claimed, str):
        return claimed
    now = clock.now()
    problem = url_problem(claimed.url, policy.allow_loopback) or addresses_problem(
        resolve(claimed.url), policy.allow_loopback
    )
    if problem is not None:
        answer = Answer(None, f"address refused: {problem.value}", 0)
    else:
        headers = signed_headers(claimed.message_id, now, claimed.body, claimed.secrets)
        answer = post(claimed.url, claimed.body, headers, policy.timeout_seconds)
    return _record(delivery_id, claimed, answer, now, clock.now(), policy, jitter())


def _claim(delivery_id: int, now: datetime) -> _Claimed | str:
    begin_write()
    row = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .options(joinedload(WebhookDelivery.event), joinedload(WebhookDelivery.endpoint))
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None or row.state is not DeliveryState.PENDING or row.due_at > now:  # purged, or taken meanwhile
        db.session.commit()
        return "skipped"
    endpoint = row.endpoint
    if not endpoint.active:
        row.state, row.finished_at = DeliveryState.FAILED, now
        db.session.add(WebhookAttempt(delivery=row, attempted_at=now, error=ENDPOINT_DISABLED, duration_ms=0))
        db.session.commit()
        return "failed"
    row.state, row.claimed_at = DeliveryState.SENDING, now
    row.attempts += 1
    claimed = _Claimed(
        url=endpoint.url,
        body=row.event.payload,
        message_id=row.event.message_id,
        secrets=signing_secrets(endpoint.secret, endpoint.previous_secret, endpoint.previous_secret_until, now),
        attempts=row.attempts,
        endpoint_id=endpoint.id,
    )
    db.session.commit()
    return claimed


def _record(
    delivery_id: int,
    claimed: _Claimed,
    answer: Answer,
    attempted_at: datetime,
    now: datetime,
    policy: DeliveryPolicy,
    jitter: float,
) -> str:
    ok = answer.status_code is not None and delivered(answer.status_code)
    delay = None if ok else retry_delay(policy, claimed.attempts, jitter)
    next_retry = now + delay if delay is not None else None
    outcome = "delivered" if ok else "retried" if next_retry else "failed"
    state = {"delivered": DeliveryState.DELIVERED, "retried": DeliveryState.PENDING, "failed": DeliveryState.FAILED}
    begin_write()
    changed = rows_changed(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state == DeliveryState.SENDING)
        .values(
            state=state[outcome],
            due_at=next_retry or now,
            finished_at=None if next_retry else now,
        )
    )
    if not changed:  # put back by `requeue_interrupted` meanwhile: that try's answer is moot
        db.session.commit()
        return "skipped"
    error = answer.error[:OUTCOME_MAX_CHARS] if answer.error else None
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            attempted_at=attempted_at,
            status_code=answer.status_code,
            error=error,
            duration_ms=answer.duration_ms,
            next_retry_at=next_retry,
        )
    )
    endpoint = db.session.get(WebhookEndpoint, claimed.endpoint_id, populate_existing=True)
    if endpoint is not None and outcome != "retried":
        endpoint.failures_in_a_row = 0 if ok else endpoint.failures_in_a_row + 1
        if endpoint.active and endpoint.failures_in_a_row >= policy.disable_after_failures:
            disable_for_failures(endpoint, now)
    db.session.commit()
    if not ok:
        log.info("webhook delivery %s: %s", delivery_id, answer.error or f"HTTP {answer.status_code}")
    return outcome


def requeue_interrupted(now: datetime, older_than: timedelta = timedelta(0)) -> int:
    """Deliveries left `sending` by a worker that died are due again, with the same `webhook-id`."""
    stuck = (WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.claimed_at <= now - older_than)
    found = db.session.scalar(select(WebhookDelivery.id).where(*stuck).limit(1))
    db.session.commit()
    if found is None:  # the usual case, checked every second: no write lock for nothing
        return 0
    begin_write()
    changed = rows_changed(update(WebhookDelivery).where(*stuck).values(state=DeliveryState.PENDING, due_at=now))
    db.session.commit()
    if changed:
        log.warning("%d webhooks were being delivered when the worker stopped; they will be sent again", changed)
    return changed
