"""The `limits` library's storage over our database, so every portal worker counts together.

`limits` ships Redis, Memcached and MongoDB storages but none over SQL. This one keeps one row
per key (`rate_limit_windows`) for the fixed-window strategy: `incr` is a single
INSERT ... ON CONFLICT DO UPDATE that starts a new window when the old one has ended, so
concurrent workers never lose a hit (PostgreSQL locks the row; SQLite takes its write lock at
BEGIN IMMEDIATE). Flask-Limiter counts each limit of a request by its own `incr`; inside
`counting_together` (the portal's limiter wraps each request's check in it) they share one write
transaction, committed when the check ends, instead of one each. Time comes from the injected
clock, so tests move it instead of sleeping.
Registered for the URI scheme `rris-database://`, which Flask-Limiter resolves through
`limits.storage.storage_from_string`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from flask import g
from limits.storage import Storage
from sqlalchemy import Delete, Table, bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import SessionTransaction

from rris.common.models.rate_limits import RateLimitWindow
from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db
from rris.timeutil import Clock, SystemClock

DATABASE_STORAGE_URI = "rris-database://"


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit_windows` table (needs an app context)."""

    STORAGE_SCHEME = ["rris-database"]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, clock: Clock | None = None, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.clock: Clock = clock or SystemClock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits for `key`; a window that has ended starts again `expiry` seconds long."""
        now, digest = self._now(), _digest(key)
        values = {"key": digest, "amount": amount, "ends": now + expiry, "now": now}
        together: _Together | None = g.get(_TOGETHER)
        if together is None:
            with _keeping_loaded_objects():
                begin_write()
                window = db.session.execute(_upsert(db.session.get_bind().dialect.name), values).one()
                db.session.commit()
        else:
            together.join()
            window = db.session.execute(_upsert(db.session.get_bind().dialect.name), values).one()
        hits, ends = int(window.hits), float(window.expires_at)
        _counted()[digest] = (hits, ends)
        return hits

    @contextmanager
    def counting_together(self) -> Iterator[None]:
        """Count every window the block hits in one write transaction, committed as the block ends.

        Over a limit or not, what was counted stays counted (as when each hit committed alone); a
        database error rolls the block's counts back. Hits are as strict as alone: each is still
        one upsert under the row's lock, only the commit waits for the block's last one. Every
        request hits its limits in one order (its caller's, then its address's), so two blocks on
        PostgreSQL never wait on each other's rows crosswise. A block inside another counts in
        the outer one's transaction.
        """
        if g.get(_TOGETHER) is not None:
            yield
            return
        together = _Together()
        setattr(g, _TOGETHER, together)
        try:
            yield
        except SQLAlchemyError:
            together.end(db.session.rollback)
            raise
        finally:
            g.pop(_TOGETHER, None)
            together.end(db.session.commit)

    def get(self, key: str) -> int:
        """Hits in the key's current window (0 when it has none or it ended)."""
        hits, ends = self._window(key)
        return hits if ends > self._now() else 0

    def get_expiry(self, key: str) -> float:
        """When the key's current window ends, in seconds since the epoch (now when it has none)."""
        now = self._now()
        _hits, ends = self._window(key)
        return ends if ends > now else now

    def _window(self, key: str) -> tuple[int, float]:
        """The window as this request's own `incr` left it, else as the database holds it."""
        digest = _digest(key)
        if digest in _counted():
            return _counted()[digest]
        row = db.session.execute(
            select(RateLimitWindow.hits, RateLimitWindow.expires_at).where(RateLimitWindow.key == digest)
        ).one_or_none()
        return (int(row.hits), float(row.expires_at)) if row else (0, 0.0)

    def check(self) -> bool:
        """True when the database answers."""
        try:
            db.session.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every window."""
        _counted().clear()
        return _delete_committed(delete(RateLimitWindow))

    def clear(self, key: str) -> None:
        """Forget one key's window."""
        _counted().pop(_digest(key), None)
        _delete_committed(delete(RateLimitWindow).where(RateLimitWindow.key == _digest(key)))


def purge_ended_windows(now_epoch: float) -> int:
    """Delete windows that have ended, in the caller's write transaction; how many went."""
    return rows_changed(delete(RateLimitWindow).where(RateLimitWindow.expires_at <= now_epoch))


_TOGETHER = "rate_limit_together"  # the request's `_Together` on `g`, inside `counting_together`


@dataclass
class _Together:
    """The write transaction the hits of one `counting_together` block share, once one has begun it."""

    transaction: SessionTransaction | None = None

    def join(self) -> None:
        """Be in the block's write transaction: begin it, or begin it again if something else ended it."""
        # Loading the caller between two hits may write (a token's last use) and commit on its way.
        if self.transaction is None or db.session().get_transaction() is not self.transaction:
            with _keeping_loaded_objects():
                begin_write()
            self.transaction = db.session().get_transaction()

    def end(self, finish: Callable[[], None]) -> None:
        """Commit or roll back the block's transaction if it is still the session's; once."""
        transaction, self.transaction = self.transaction, None
        if transaction is not None and db.session().get_transaction() is transaction:
            with _keeping_loaded_objects():
                finish()


def _counted() -> dict[str, tuple[int, float]]:
    # The headers of a response read the windows its request has just counted: they come from
    # `incr`'s RETURNING instead of two more queries (the request's own view, like any count).
    if "rate_limit_windows" not in g:
        g.rate_limit_windows = {}
    counted: dict[str, tuple[int, float]] = g.rate_limit_windows
    return counted


@contextmanager
def _keeping_loaded_objects() -> Iterator[None]:
    """Commit without expiring what the request has loaded (its account, its token): counting
    changes none of it, and reloading it would cost the request more than the count itself."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expiring


def _digest(key: str) -> str:
    # Keys name a token or a client address: only their digest is stored, at a fixed length.
    return hashlib.sha256(key.encode()).hexdigest()


@cache
def _upsert(dialect: str) -> Any:
    """INSERT the window, or add to it, or restart it when it has ended; RETURNING it. Built once
    per dialect with bound parameters: building and compiling it cost more than running it."""
    table = cast(Table, RateLimitWindow.__table__)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    fresh = insert(table).values(key=bindparam("key"), hits=bindparam("amount"), expires_at=bindparam("ends"))
    ended = table.c.expires_at <= bindparam("now")
    return fresh.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "hits": case((ended, fresh.excluded.hits), else_=table.c.hits + fresh.excluded.hits),
            "expires_at": case((ended, fresh.excluded.expires_at), else_=table.c.expires_at),
        },
    ).returning(table.c.hits, table.c.expires_at)


def _delete_committed(statement: Delete) -> int:
    begin_write()
    removed = rows_changed(statement)
    db.session.commit()
    return removed
