"""A rotated secret: during the overlap each message carries both signatures, so a receiver still
on the old secret and one already on the new verify it; afterwards only the new one. A disabled
endpoint is sent nothing more. The endpoint's page lists every attempt."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.enums import Role
from rris.extensions import db
from rris.webhooks.domain.events import DeliveryState
from rris.webhooks.models.webhooks import WebhookAttempt, WebhookDelivery
from rris.webhooks.services.delivery import deliver_due
from rris.webhooks.services.endpoints import rotate_secret, set_active
from tests import factories
from tests.conftest import DEFAULT_NOW, committed
from tests.support.webhook_receiver import WebhookReceiver
from tests.webhooks.conftest import TEST_POLICY, register, sender_clock
from tests.webhooks.test_delivery import _confirmed

OVERLAP = timedelta(hours=24)


def test_during_the_overlap_old_and_new_secrets_both_verify_then_only_the_new(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    old = endpoint.secret
    clock = sender_clock()
    rotate_secret(endpoint.id, actor_of(focal_point_rs), clock.now(), OVERLAP)
    new = endpoint.secret
    receiver.secrets = [old]
    _confirmed(jelena)
    deliver_due(clock, TEST_POLICY)
    (message,) = receiver.received
    signatures = message.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(signature.startswith("v1,") for signature in signatures)
    still_on_old, already_on_new = WebhookReceiver(secrets=[old]), WebhookReceiver(secrets=[new])
    assert still_on_old.verify(message.headers, message.body) and already_on_new.verify(message.headers, message.body)

    rotate_secret(endpoint.id, actor_of(focal_point_rs), clock.now(), timedelta(seconds=5))
    newest = endpoint.secret
    later = sender_clock()
    later.advance(timedelta(seconds=6))  # the overlap is over
    receiver.secrets = [newest]
    _confirmed(jelena)
    deliver_due(later, TEST_POLICY)
    last = receiver.received[-1]
    assert " " not in last.headers["webhook-signature"] and last.verified
    assert not WebhookReceiver(secrets=[new]).verify(last.headers, last.body)


def test_a_disabled_endpoint_is_sent_nothing_more(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    _confirmed(jelena)
    set_active(endpoint.id, False, actor_of(focal_point_rs), DEFAULT_NOW)
    _confirmed(jelena)
    assert deliver_due(sender_clock(), TEST_POLICY).failed == 1
    assert receiver.received == []
    assert db.session.scalars(select(WebhookDelivery.state)).all() == [DeliveryState.FAILED]
    assert db.session.scalars(select(WebhookAttempt.error)).all() == ["the endpoint was disabled"]


def test_the_delivery_log_lists_each_attempt_with_its_answer_and_the_next_try(app, browser, receiver):
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", locale="en")
        dragan = factories.user(Role.FOCAL_POINT, email="dragan@mup.rs.example", country=jelena.department.country)
        endpoint = register(dragan, jelena.department_id, receiver.url)
        receiver.secrets, receiver.status = [endpoint.secret], 500
        booking = _confirmed(jelena)
        clock = sender_clock()
        deliver_due(clock, TEST_POLICY, jitter=lambda: 0.0)
        receiver.status = 204
        clock.advance(timedelta(seconds=1))
        deliver_due(clock, TEST_POLICY)
        endpoint_id, code = endpoint.id, booking.code
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    page = browser.get(f"/webhooks/{endpoint_id}").get_data(as_text=True)
    rows = page.split('id="delivery-log"')[1].split("</table>")[0].split("<tr data-message")[1:]
    assert len(rows) == 2
    newest, oldest = rows
    assert "HTTP 204" in newest and "delivered" in newest and code in newest
    assert "HTTP 500" in oldest and "Booking confirmed" in oldest and " ms" in oldest
