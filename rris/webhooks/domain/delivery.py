"""How deliveries are retried and how long a receiver may take: pure rules, settings as values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# The longest a receiver is waited for between two tries, whatever the attempt number.
MAX_RETRY_DELAY = timedelta(hours=6)


@dataclass(frozen=True)
class DeliveryPolicy:
    """The knobs of delivery, from the settings (`rris.webhooks.services.delivery.policy_from`)."""

    timeout_seconds: float  # connect and read, each: a slow receiver must not hold the worker
    max_attempts: int  # then the delivery is failed for good
    first_retry: timedelta  # doubled after every failed attempt
    disable_after_failures: int  # deliveries failed for good in a row before the endpoint is disabled
    allow_loopback: bool  # http:// and 127.0.0.1/localhost allowed (development and tests only)

    def __post_init__(self) -> None:
        if self.timeout_seconds <= 0 or self.max_attempts < 1 or self.first_retry <= timedelta(0):
            raise ValueError("a delivery policy needs a positive timeout, attempts and first retry")


def retry_delay(policy: DeliveryPolicy, attempts: int, jitter: float) -> timedelta | None:
    """How long after the `attempts`-th failed try the next one comes, or None when none does.

    Exponential backoff with "equal jitter": half the doubled delay is fixed, the other half is
    scaled by `jitter` (0 <= jitter < 1, random in production), so receivers that failed together
    are not all tried again in the same second.
    """
    if not 0 <= jitter < 1:
        raise ValueError("jitter lies in [0, 1)")
    if attempts >= policy.max_attempts:
        return None
    full = min(policy.first_retry * (1 << min(attempts - 1, 20)), MAX_RETRY_DELAY)
    return full / 2 + full / 2 * jitter


def delivered(status_code: int) -> bool:
    """A 2xx answer is a delivery; anything else (a redirect included) is tried again."""
    return 200 <= status_code < 300
