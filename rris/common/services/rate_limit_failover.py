"""Rate limits over Redis that keep limiting while Redis is down: this process's memory counts
until Redis answers again.

A rate limit is a security control, yet failing every request because its counter is away would
make Redis a single point of failure for the whole portal (the API and the account pages). So the
first error of Redis switches this storage, with an error in the log, to `limits`' in-memory
counters: the same limits, counted per process (a few workers each allow the budget, not
unlimited). While Redis is down, one request every `RECHECK_SECONDS` (by the app's clock) asks it
again, bounded by short socket timeouts and one immediate retry, so a Redis that hangs costs one request
that long, not every request; once it answers, counting goes back to it, logged.

Registered for the URI scheme `rris-failover+<redis URL>` (`rris.common.web.rate_limits` builds it
from RRIS_RATE_LIMIT_STORAGE), which Flask-Limiter resolves through `limits.storage.storage_from_string`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from limits.storage import MemoryStorage, RedisStorage, Storage
from redis.backoff import NoBackoff
from redis.retry import Retry

from rris.timeutil import Clock, SystemClock

log = logging.getLogger(__name__)

PREFIX = "rris-failover+"
RECHECK_SECONDS = 5
# A Redis that does not answer is given up on after this long (connect and each command), once.
REDIS_TIMEOUT_SECONDS = 0.5

T = TypeVar("T")


def failover_uri(redis_url: str) -> str:
    """The storage URI that counts in Redis at `redis_url`, in memory while it is down."""
    return PREFIX + redis_url


class FailoverRedisStorage(Storage):
    """Counts in Redis while it answers, in this process's memory while it does not."""

    STORAGE_SCHEME = [PREFIX + scheme for scheme in ("redis", "rediss", "redis+unix")]

    def __init__(self, uri: str, wrap_exceptions: bool = False, clock: Clock | None = None, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        redis_options = {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), 1),  # once: a pooled connection from before a Redis restart is stale
            **options,
        }
        self.redis = RedisStorage(uri.removeprefix(PREFIX), **redis_options)
        self.memory = MemoryStorage()
        self.clock: Clock = clock or SystemClock()
        self._state = threading.Lock()
        self._down_since: float | None = None
        self._next_look = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return self.redis.base_exceptions

    @property
    def redis_down(self) -> bool:
        """Counting in memory now, Redis having failed."""
        return self._down_since is not None

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits for `key` (see `limits.storage.Storage.incr`)."""
        return self._counted(lambda storage: storage.incr(key, expiry, amount))

    def get(self, key: str) -> int:
        """Hits in the key's current window."""
        return self._counted(lambda storage: storage.get(key))

    def get_expiry(self, key: str) -> float:
        """When the key's current window ends, in seconds since the epoch."""
        return self._counted(lambda storage: storage.get_expiry(key))

    def check(self) -> bool:
        """True: limits are counted either way (whether in Redis: `redis_down`)."""
        return True

    def reset(self) -> int | None:
        """Forget every window, in memory and, when it answers, in Redis."""
        self.memory.reset()
        return self._counted(lambda storage: storage.reset())

    def clear(self, key: str) -> None:
        """Forget one key's window, in memory and, when it answers, in Redis."""
        self.memory.clear(key)
        self._counted(lambda storage: storage.clear(key))

    def _counted(self, operation: Callable[[Storage], T]) -> T:
        if self._redis_usable():
            try:
                return operation(self.redis)
            except self.redis.base_exceptions as error:
                self._went_down(error)
        return operation(self.memory)

    def _redis_usable(self) -> bool:
        """Redis is up, or it was down and a look (at most one per RECHECK_SECONDS) finds it back."""
        with self._state:
            if self._down_since is None:
                return True
            now = self.clock.now().timestamp()
            if now < self._next_look:
                return False
            self._next_look = now + RECHECK_SECONDS
        if not self.redis.check():
            return False
        with self._state:
            if self._down_since is not None:
                log.warning(
                    "rate limits: Redis answers again after %.0f s; counting there again",
                    self.clock.now().timestamp() - self._down_since,
                )
                self._down_since = None
        return True

    def _went_down(self, error: Exception) -> None:
        with self._state:
            if self._down_since is None:
                now = self.clock.now().timestamp()
                self._down_since, self._next_look = now, now + RECHECK_SECONDS
                log.error(
                    "rate limits: Redis cannot be reached (%s); counting in this process's memory until it answers",
                    error,
                )
