"""Throttling of password guessing: failures per account and per client address in a window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures in how long an account and an address may have."""

    max_failures_per_account: int
    max_failures_per_address: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.max_failures_per_account < 1 or self.max_failures_per_address < 1:
            raise ValueError("limits must allow at least one attempt")
        if self.window <= timedelta(0):
            raise ValueError("the window must be positive")


def throttled_until(
    policy: ThrottlePolicy,
    account_failures: Sequence[datetime],
    address_failures: Sequence[datetime],
    now: datetime,
) -> datetime | None:
    """When the next attempt is allowed, or None if it is allowed now.

    `*_failures` are the instants of failed attempts; only those inside the window count.
    Once the limit is reached the caller waits until enough of them leave the window.
    """
    retry_times = [
        _retry_at(failures, limit, policy.window, now)
        for failures, limit in (
            (account_failures, policy.max_failures_per_account),
            (address_failures, policy.max_failures_per_address),
        )
    ]
    blocked = [moment for moment in retry_times if moment is not None]
    return max(blocked) if blocked else None


def _retry_at(failures: Sequence[datetime], limit: int, window: timedelta, now: datetime) -> datetime | None:
    recent = sorted(moment for moment in failures if now - window < moment <= now)
    if len(recent) < limit:
        return None
    # The attempt becomes possible when the failure that tips the count to `limit` expires.
    return recent[len(recent) - limit] + window
