"""A token bucket lets a burst through, then the steady rate, and refuses the rest."""

from __future__ import annotations

from signaling.limits import TokenBucket


def test_burst_then_rate() -> None:
    now = [100.0]
    bucket = TokenBucket(rate=2, burst=3, monotonic=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 60  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3
