"""A department, a focal point who registers its endpoint, and a receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from rris.access.queries.actors import actor_of
from rris.enums import Role
from rris.timeutil import FrozenClock
from rris.webhooks.domain.delivery import DeliveryPolicy
from rris.webhooks.domain.events import WebhookEventType
from rris.webhooks.models.webhooks import WebhookEndpoint
from rris.webhooks.services.endpoints import EndpointInput, create_endpoint
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.support.twilio_recorder import changed_settings
from tests.support.webhook_receiver import WebhookReceiver

# Short, so a slow receiver costs the test a second; the first retry after one second.
TEST_POLICY = DeliveryPolicy(
    timeout_seconds=0.5, max_attempts=4, first_retry=timedelta(seconds=2), disable_after_failures=3, allow_loopback=True
)


@pytest.fixture
def loopback_allowed(app: Flask) -> Iterator[None]:
    """The app allows http://127.0.0.1 endpoints, as RRIS_WEBHOOK_ALLOW_LOOPBACK=true does."""
    with changed_settings(app, webhook_allow_loopback=True):
        yield


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    found = WebhookReceiver().start()
    yield found
    found.stop()


@pytest.fixture
def jelena(ctx):
    return factories.caseworker("RS", email="jelena@mup.rs.example", locale="en")


@pytest.fixture
def focal_point_rs(ctx):
    return factories.user(Role.FOCAL_POINT, email="focal@mup.rs.example", country=factories.country("RS"))


def register(user, department_id: int, url: str, events=tuple(WebhookEventType)) -> WebhookEndpoint:
    """The focal point registers `url` for the department, for `events`."""
    data = EndpointInput(department_id=department_id, url=url, description="Case system", events=frozenset(events))
    return create_endpoint(data, actor_of(user), DEFAULT_NOW, TEST_POLICY)


def sender_clock() -> FrozenClock:
    """The delivery worker's clock: today, so the receiver's library accepts the signatures' timestamps
    (it allows five minutes either way of its own clock, which tests cannot set)."""
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))
