"""Booking changes reach the department's case system signed, each once, through the webhook
outbox: a real HTTP receiver on 127.0.0.1 verifies every message with `standardwebhooks`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import jsonschema_rs
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.api.openapi import openapi_document
from rris.audit.models.entries import AuditEntry
from rris.bookings.services.bookings import cancel_booking, reschedule_booking
from rris.calls.models.calls import CallSummary
from rris.calls.services.session_lifecycle import complete_finished_sessions
from rris.context import current_settings
from rris.enums import BookingState
from rris.extensions import db
from rris.offers.services.offers import accept_offer
from rris.retention.services.retention import purge_expired, retention_policy
from rris.webhooks.domain.events import DeliveryState, WebhookEventType
from rris.webhooks.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEvent
from rris.webhooks.services.delivery import deliver_due
from tests import factories
from tests.bookings.test_booking_flow import book, pool
from tests.conftest import DEFAULT_NOW
from tests.support.booking_setup import booking_setup
from tests.webhooks.conftest import TEST_POLICY, register, sender_clock


def _confirmed(jelena):
    (mariam,) = pool(1)
    booking = book(jelena)
    accept_offer(booking.offers[0].id, mariam, DEFAULT_NOW)
    assert booking.state is BookingState.CONFIRMED
    return booking


def _completed(department):
    """A video session that ended two hours ago, officer and interpreter together for 45 minutes."""
    booking = factories.booking(
        department=department,
        starts_at=DEFAULT_NOW - timedelta(hours=3),
        minutes=60,
        state=BookingState.IN_PROGRESS,
        case_reference="RS-2026-0077",
    )
    db.session.add(
        CallSummary(
            booking_id=booking.id,
            delivered_seconds=45 * 60,
            first_joined_at=booking.starts_at,
            last_left_at=booking.ends_at,
            updated_at=booking.ends_at,
        )
    )
    db.session.flush()
    assert complete_finished_sessions(DEFAULT_NOW) == 1
    return booking


def test_confirmed_rescheduled_cancelled_and_completed_each_arrive_once_signed(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets = [endpoint.secret]
    booking = _confirmed(jelena)
    moved_to = datetime(2026, 1, 14, 10, 0)  # Belgrade wall clock
    reschedule_booking(booking.id, actor_of(jelena), moved_to, None, DEFAULT_NOW, booking_setup())
    cancel_booking(booking.id, actor_of(jelena), "The applicant withdrew the claim", DEFAULT_NOW)
    finished = _completed(jelena.department)

    report = deliver_due(sender_clock(), TEST_POLICY)
    again = deliver_due(sender_clock(), TEST_POLICY)

    assert (report.delivered, again.handled) == (4, 0)
    assert all(message.verified for message in receiver.received)
    assert len(receiver.received) == len(receiver.processed) == 4, "a message arrived twice"
    assert receiver.types() == ["booking.confirmed", "booking.rescheduled", "booking.cancelled", "booking.completed"]
    confirmed, rescheduled, cancelled, completed = receiver.processed.values()
    assert confirmed["data"]["booking_id"] == booking.id and confirmed["data"]["case_reference"] == "RS-2026-0042"
    assert confirmed["data"]["starts_at"] == "2026-01-13T08:00:00Z"
    assert confirmed["data"]["applicant_language"] == "pus" and confirmed["data"]["officer_language"] == "srp"
    assert rescheduled["data"]["starts_at"] == "2026-01-14T09:00:00Z"
    assert cancelled["data"]["state"] == "cancelled"
    assert completed["data"]["booking_code"] == finished.code and completed["data"]["minutes_interpreted"] == 45
    assert "minutes_interpreted" not in confirmed["data"]


def test_every_body_sent_matches_the_webhooks_section_of_the_openapi_document(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets = [endpoint.secret]
    _confirmed(jelena)
    _completed(jelena.department)
    deliver_due(sender_clock(), TEST_POLICY)
    document = openapi_document()
    for message in receiver.received:
        kind = json.loads(message.body)["type"]
        schema = document["webhooks"][kind]["post"]["requestBody"]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
        assert [error.message for error in validator.iter_errors(json.loads(message.body))] == []
    assert len(receiver.received) == 2


def test_the_payload_carries_no_applicant_or_interpreter_data(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets = [endpoint.secret]
    (mariam,) = pool(1, name="Mariam Ahmadzai", email="mariam@interpreters.example")
    booking = book(jelena, notes="Interview about the route through Bulgaria")
    accept_offer(booking.offers[0].id, mariam, DEFAULT_NOW)
    deliver_due(sender_clock(), TEST_POLICY)

    (message,) = receiver.received
    body = message.body.decode()
    assert set(json.loads(body)["data"]) == {
        "booking_id",
        "booking_code",
        "case_reference",
        "department_id",
        "state",
        "starts_at",
        "ends_at",
        "applicant_language",
        "officer_language",
        "session_kind",
        "modality",
    }
    for personal in ("Mariam", "mariam@", "Bulgaria", "Jelena", "jelena@"):
        assert personal not in body


def test_a_change_for_another_department_or_an_unsubscribed_event_is_not_sent(jelena, focal_point_rs, receiver):
    other = factories.department("RS", name="Subotica asylum office")
    register(focal_point_rs, other.id, receiver.url)
    register(focal_point_rs, jelena.department_id, receiver.url, events=[WebhookEventType.CANCELLED])
    _confirmed(jelena)
    assert deliver_due(sender_clock(), TEST_POLICY).handled == 0
    assert receiver.received == []


def test_the_change_itself_queues_the_event_for_every_subscribed_endpoint(jelena, focal_point_rs, receiver):
    first = register(focal_point_rs, jelena.department_id, receiver.url)
    second = register(focal_point_rs, jelena.department_id, receiver.url + "/second")
    booking = _confirmed(jelena)
    (event,) = db.session.scalars(select(WebhookEvent)).all()
    deliveries = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.endpoint_id)).all()
    assert (event.booking_id, event.event_type, event.occurred_at) == (
        booking.id,
        WebhookEventType.CONFIRMED,
        DEFAULT_NOW,
    )
    assert [(d.endpoint_id, d.state, d.due_at) for d in deliveries] == [
        (first.id, DeliveryState.PENDING, DEFAULT_NOW),
        (second.id, DeliveryState.PENDING, DEFAULT_NOW),
    ]


def test_a_receiver_that_answers_500_is_tried_again_with_growing_delays_then_gets_it(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets, receiver.status = [endpoint.secret], 500
    _confirmed(jelena)
    clock = sender_clock()
    assert deliver_due(clock, TEST_POLICY, jitter=lambda: 0.5).retried == 1
    assert deliver_due(clock, TEST_POLICY).handled == 0, "retried before its time"
    clock.advance(timedelta(seconds=1.5))
    assert deliver_due(clock, TEST_POLICY, jitter=lambda: 0.5).retried == 1
    receiver.status = 200
    clock.advance(timedelta(seconds=2))
    assert deliver_due(clock, TEST_POLICY).handled == 0, "the second delay did not grow"
    clock.advance(timedelta(seconds=1))
    assert deliver_due(clock, TEST_POLICY).delivered == 1

    attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert [attempt.status_code for attempt in attempts] == [500, 500, 200]
    gaps = [attempt.next_retry_at - attempt.attempted_at for attempt in attempts[:2]]
    assert gaps == [timedelta(seconds=1.5), timedelta(seconds=3)]
    assert len({message.message_id for message in receiver.received}) == 1, "a retry changed the webhook-id"
    assert len(receiver.processed) == 1 and len(receiver.received) == 3


def test_a_receiver_that_is_down_is_tried_again_once_it_is_up(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets = [endpoint.secret]
    _confirmed(jelena)
    receiver.stop()
    clock = sender_clock()
    assert deliver_due(clock, TEST_POLICY).retried == 1
    receiver.start()
    clock.advance(timedelta(seconds=2))
    assert deliver_due(clock, TEST_POLICY).delivered == 1
    first, second = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert first.status_code is None and first.error.startswith("could not connect")
    assert second.status_code == 204 and receiver.types() == ["booking.confirmed"]


def test_a_slow_receiver_times_out_without_holding_the_worker_and_is_tried_again(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets, receiver.delay = [endpoint.secret], 3.0
    _confirmed(jelena)
    clock = sender_clock()
    assert deliver_due(clock, TEST_POLICY).retried == 1
    (attempt,) = db.session.scalars(select(WebhookAttempt)).all()
    assert attempt.error == "no answer within 0.5 s" and attempt.duration_ms < 2000
    receiver.delay = 0
    clock.advance(timedelta(seconds=2))
    assert deliver_due(clock, TEST_POLICY).delivered == 1
    assert len(receiver.processed) == 1, "the slow answer and the retry were processed twice"


def test_after_the_last_attempt_the_delivery_fails_and_repeated_failures_disable_the_endpoint(
    jelena, focal_point_rs, receiver
):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets, receiver.status = [endpoint.secret], 503
    for _ in range(3):
        _confirmed(jelena)
    clock = sender_clock()
    for _ in range(TEST_POLICY.max_attempts):
        deliver_due(clock, TEST_POLICY, jitter=lambda: 0.0)
        clock.advance(timedelta(seconds=20))
    states = db.session.scalars(select(WebhookDelivery.state)).all()
    assert states == [DeliveryState.FAILED] * 3
    assert len(receiver.received) == 3 * TEST_POLICY.max_attempts
    db.session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason == "failures"
    disabled = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook_endpoint.disabled")).one()
    assert disabled.actor_user_id is None and disabled.details["failures_in_a_row"] == "3"


def test_retention_purges_told_events_but_keeps_those_still_on_their_way(jelena, focal_point_rs, receiver):
    endpoint = register(focal_point_rs, jelena.department_id, receiver.url)
    receiver.secrets = [endpoint.secret]
    _confirmed(jelena)
    deliver_due(sender_clock(), TEST_POLICY)
    receiver.stop()
    _completed(jelena.department)
    deliver_due(sender_clock(), TEST_POLICY)  # the receiver is down: the completion waits for a retry

    report = purge_expired(DEFAULT_NOW + timedelta(days=91), retention_policy(current_settings()))

    assert report.webhook_events == 1
    (left,) = db.session.scalars(select(WebhookEvent)).all()
    assert left.event_type is WebhookEventType.COMPLETED
    assert db.session.scalars(select(WebhookAttempt.status_code)).all() == [None]
