"""Flood limits for one client connection: token buckets on a monotonic clock."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Allows `burst` events at once and `rate` per second after that."""

    def __init__(self, rate: float, burst: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._monotonic = monotonic
        self._last = monotonic()

    def take(self) -> bool:
        """Spend one token; False when the bucket is empty (the caller is flooding)."""
        now = self._monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
