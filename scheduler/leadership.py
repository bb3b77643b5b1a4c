"""One scheduler leads: a lock in (or next to) the database that the OS or server frees when the leader dies."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from contextlib import suppress
from pathlib import Path

from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from rris.settings import Settings

logger = logging.getLogger("scheduler")

LEADER_POLL_SECONDS = 5.0
LOCK_FILE_SUFFIX = ".scheduler-lock"
# pg_try_advisory_lock takes one signed 64-bit key; derive it from a name so it is stable and greppable.
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.scheduler.leader").digest()[:8], "big", signed=True)

# A leader whose host vanishes (no FIN, no RST) would hold the advisory lock until the server's TCP
# keepalive gives up, two hours by default. These make the server drop that session within ~30 s,
# and the leader's own checks fail instead of hanging on a dead socket.
_KEEPALIVE_ARGS: dict[str, object] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
    "options": "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"
    " -c tcp_user_timeout=30000",
}
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")
# A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
_HOLDING = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :key)"
)


class LeaderLock(ABC):
    """A lock only one scheduler process holds at a time; it dies with the process."""

    @abstractmethod
    def try_acquire(self) -> bool:
        """Take the lock if it is free (or already ours), without waiting."""

    @abstractmethod
    def still_held(self) -> bool:
        """Whether this process still holds the lock; cheap enough to call before every job."""

    @abstractmethod
    def release(self) -> None:
        """Give the lock up; safe to call when it is not held."""

    def acquire(self, poll_seconds: float = LEADER_POLL_SECONDS) -> None:
        """Block until this process leads, trying every `poll_seconds`; a signal handler's exception ends the wait."""
        waiting = False
        while not self.try_acquire():
            if not waiting:
                logger.info("scheduler: waiting for the leader lock (another scheduler is running)")
                waiting = True
            time.sleep(poll_seconds)
        logger.info("scheduler: leading")


class FileLeaderLock(LeaderLock):
    """An exclusive `flock` on a file next to the SQLite database; the kernel frees it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free (or already ours), without waiting."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def still_held(self) -> bool:
        """Whether our lock is on the file that is at the path now (deleting it would let a second leader in)."""
        if self._fd is None:
            return False
        try:
            ours, current = os.fstat(self._fd), os.stat(self.path)
        except OSError:
            return False
        return (ours.st_dev, ours.st_ino) == (current.st_dev, current.st_ino)

    def release(self) -> None:
        """Close the file, which drops the lock; the file stays (unlinking it would race a waiting process)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class AdvisoryLeaderLock(LeaderLock):
    """A session-level PostgreSQL advisory lock on a connection of its own, freed when that connection drops."""

    def __init__(self, database_url: str) -> None:
        # NullPool: closing the connection really ends the session. A pooled connection would go
        # back to the pool still holding the session lock. AUTOCOMMIT: no transaction left idle.
        self._engine = create_engine(
            database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=_KEEPALIVE_ARGS
        )
        self._connection: Connection | None = None
        self._held = False
        # Jobs run in a thread pool and may check at the same moment; a Connection is not thread-safe.
        self._mutex = threading.Lock()

    def try_acquire(self) -> bool:
        """Take the lock if it is free (or already ours), without waiting; False when the database is unreachable."""
        with self._mutex:
            if self._held:
                return True
            try:
                if self._connection is None:
                    self._connection = self._engine.connect()
                self._held = bool(self._connection.scalar(_TRY_LOCK, {"key": ADVISORY_LOCK_KEY}))
            except SQLAlchemyError as error:
                logger.warning("scheduler: cannot reach the database for the leader lock: %s", error)
                self._close()
            return self._held

    def still_held(self) -> bool:
        """Whether the lock connection is alive and its session holds the lock; False on any database error."""
        with self._mutex:
            if not self._held or self._connection is None:
                return False
            try:
                return bool(self._connection.scalar(_HOLDING, {"key": ADVISORY_LOCK_KEY}))
            except SQLAlchemyError as error:
                logger.warning("scheduler: the leader lock connection failed: %s", error)
                return False

    def release(self) -> None:
        """Unlock and close the lock connection; the lock is free when this returns."""
        with self._mutex:
            if self._held and self._connection is not None:
                # Closing alone frees it too, but only once the server has noticed, a moment later.
                with suppress(SQLAlchemyError):
                    self._connection.execute(_UNLOCK, {"key": ADVISORY_LOCK_KEY})
            self._close()
            self._engine.dispose()

    def _close(self) -> None:
        self._held = False
        if self._connection is not None:
            # A broken connection is gone already, and its lock with it.
            with suppress(SQLAlchemyError):
                self._connection.close()
            self._connection = None


class UnsharedLeaderLock(LeaderLock):
    """For an in-memory SQLite database: it belongs to one process, so there is no one to wait for."""

    def try_acquire(self) -> bool:
        """Always succeeds."""
        return True

    def still_held(self) -> bool:
        """Always true."""
        return True

    def release(self) -> None:
        """Nothing to release."""


def leader_lock_for(settings: Settings) -> LeaderLock:
    """The leader lock that suits the configured database."""
    if not settings.is_sqlite:
        return AdvisoryLeaderLock(settings.database_url)
    url = make_url(settings.database_url)
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return UnsharedLeaderLock()
    return FileLeaderLock(Path(database + LOCK_FILE_SUFFIX))
