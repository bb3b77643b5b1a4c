"""The pure rules of webhooks: which history line is told, how retries back off, which
addresses are refused, which secrets sign during a rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rris.enums import BookingState as S
from rris.webhooks.domain.addresses import UrlProblem, addresses_problem, url_problem
from rris.webhooks.domain.delivery import MAX_RETRY_DELAY, DeliveryPolicy, delivered, retry_delay
from rris.webhooks.domain.events import WebhookEventType as E
from rris.webhooks.domain.events import event_type_for
from rris.webhooks.domain.signing_keys import SECRET_PREFIX, new_secret, signing_secrets

POLICY = DeliveryPolicy(
    timeout_seconds=5, max_attempts=8, first_retry=timedelta(seconds=30), disable_after_failures=20,
    allow_loopback=False,
)
NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "before", "after", "told"),
    [
        ("accept", S.OFFERED, S.CONFIRMED, E.CONFIRMED),
        ("assign", S.UNFILLED, S.CONFIRMED, E.CONFIRMED),
        ("reschedule", S.CONFIRMED, S.REQUESTED, E.RESCHEDULED),
        ("cancel", S.CONFIRMED, S.CANCELLED, E.CANCELLED),
        ("cancel", S.OFFERED, S.CANCELLED, E.CANCELLED),
        ("complete", S.IN_PROGRESS, S.COMPLETED, E.COMPLETED),
        ("offer", S.REQUESTED, S.OFFERED, None),
        ("start", S.CONFIRMED, S.IN_PROGRESS, None),
        ("declined", None, None, None),
        ("reoffer", S.CONFIRMED, S.OFFERED, None),
    ],
)
def test_only_confirmations_moves_cancellations_and_completions_are_told(action, before, after, told):
    assert event_type_for(action, before, after) is told


def test_retries_double_with_half_of_each_delay_random_and_stop_after_the_last_attempt():
    assert [retry_delay(POLICY, attempt, 0.0) for attempt in (1, 2, 3)] == [
        timedelta(seconds=15), timedelta(seconds=30), timedelta(seconds=60)
    ]
    assert retry_delay(POLICY, 1, 0.999) < timedelta(seconds=30) <= retry_delay(POLICY, 2, 0.999)
    assert retry_delay(POLICY, 8, 0.5) is None
    long = DeliveryPolicy(5, 30, timedelta(minutes=30), 20, False)
    assert retry_delay(long, 20, 0.999) <= MAX_RETRY_DELAY
    with pytest.raises(ValueError, match="jitter"):
        retry_delay(POLICY, 1, 1.0)


def test_only_2xx_is_delivered():
    assert [delivered(code) for code in (200, 204, 299, 301, 410, 500)] == [True, True, True, False, False, False]


@pytest.mark.parametrize(
    ("url", "loopback", "problem"),
    [
        ("https://cases.example.gov/hook", False, None),
        ("https://193.105.96.20:8443/hook?dept=3", False, None),
        ("http://cases.example.gov/hook", False, UrlProblem.NOT_HTTPS),
        ("http://127.0.0.1:8000/hook", True, None),
        ("http://localhost:8000/hook", True, None),
        ("http://127.0.0.1:8000/hook", False, UrlProblem.NOT_HTTPS),
        ("http://10.0.0.1/hook", True, UrlProblem.NOT_HTTPS),
        ("https://10.0.0.1/hook", True, UrlProblem.PRIVATE_ADDRESS),
        ("https://192.168.1.20/hook", False, UrlProblem.PRIVATE_ADDRESS),
        ("https://100.64.0.1/hook", False, UrlProblem.PRIVATE_ADDRESS),
        ("https://169.254.169.254/latest", False, UrlProblem.PRIVATE_ADDRESS),
        ("https://[fe80::1]/hook", False, UrlProblem.PRIVATE_ADDRESS),
        ("https://[::ffff:127.0.0.1]/hook", False, UrlProblem.PRIVATE_ADDRESS),
        ("https://224.0.0.1/hook", False, UrlProblem.PRIVATE_ADDRESS),
        ("https://0.0.0.0/hook", False, UrlProblem.PRIVATE_ADDRESS),
        ("ftp://cases.example.gov/hook", False, UrlProblem.MALFORMED),
        ("https://cases.example.gov:99999/hook", False, UrlProblem.MALFORMED),
        ("https:///hook", False, UrlProblem.MALFORMED),
        ("https://cases.example.gov/a b", False, UrlProblem.MALFORMED),
        ("https://user:pw@cases.example.gov/hook", False, UrlProblem.CREDENTIALS),
        ("https://cases.example.gov/hook#part", False, UrlProblem.FRAGMENT),
        ("https://cases.example.gov/" + "a" * 2000, False, UrlProblem.TOO_LONG),
    ],
)
def test_a_url_is_refused_on_its_face_for_a_named_reason(url, loopback, problem):
    assert url_problem(url, loopback) is problem


def test_a_name_must_resolve_and_every_address_it_resolves_to_must_be_public():
    assert addresses_problem([], False) is UrlProblem.UNRESOLVABLE
    assert addresses_problem(["193.105.96.20", "2a00:1450:4001::1"], False) is None
    assert addresses_problem(["193.105.96.20", "10.0.0.7"], False) is UrlProblem.PRIVATE_ADDRESS
    assert addresses_problem(["127.0.0.1", "::1"], True) is None
    assert addresses_problem(["127.0.0.1"], False) is UrlProblem.PRIVATE_ADDRESS


def test_the_previous_secret_signs_too_until_the_overlap_ends():
    current, previous = new_secret(), new_secret()
    assert current.startswith(SECRET_PREFIX) and current != previous and len(current) == len(SECRET_PREFIX) + 44
    until = NOW + timedelta(hours=24)
    assert signing_secrets(current, previous, until, NOW) == [current, previous]
    assert signing_secrets(current, previous, until, until) == [current]
    assert signing_secrets(current, None, None, NOW) == [current]
