"""Password guessing is throttled per account and per address, inside a sliding window."""

from datetime import UTC, datetime, timedelta

import pytest

from rris.accounts.domain.login_throttle import ThrottlePolicy, throttled_until

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures_per_account=5, max_failures_per_address=20, window=timedelta(minutes=15))


def minutes_ago(*minutes: int) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_four_failures_still_allow_a_fifth_try():
    assert throttled_until(POLICY, minutes_ago(1, 2, 3, 4), [], NOW) is None


def test_five_failures_block_until_the_oldest_leaves_the_window():
    retry = throttled_until(POLICY, minutes_ago(1, 2, 3, 4, 10), [], NOW)
    assert retry == NOW - timedelta(minutes=10) + timedelta(minutes=15)


def test_failures_older_than_the_window_do_not_count():
    assert throttled_until(POLICY, minutes_ago(1, 2, 3, 16, 20, 30), [], NOW) is None


def test_one_address_trying_many_accounts_is_blocked_too():
    twenty_in_ten_minutes = [NOW - timedelta(seconds=30 * i) for i in range(20)]
    assert throttled_until(POLICY, [], twenty_in_ten_minutes, NOW) is not None


def test_a_policy_must_allow_at_least_one_attempt():
    with pytest.raises(ValueError):
        ThrottlePolicy(0, 1, timedelta(minutes=1))
