"""Hands call events to the core's call records, off the event loop and in order.

The signalling loop never waits for the database: events are collected for a quarter of a
second and then written, in order, by one worker thread that runs `rris.calls.services.call_records`
inside the Flask app's context. The delay keeps the database work (and its hold on the GIL)
out of the first moments of a call, when offers and answers must flow. A failure is logged
and the call goes on; the records are then incomplete, never the call broken. The same thread
runs the few core calls whose answer the service awaits (`call`: the phone legs' requests),
so this process writes to the database from one thread only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask

from rris.calls.domain.call_quality import QualitySummary
from rris.calls.domain.call_tickets import CallTicket
from rris.calls.services import call_records
from rris.extensions import db

logger = logging.getLogger("signaling.records")

# A live connection is marked seen this often; one not seen for ORPHAN_AFTER is closed (a node died).
TOUCH_INTERVAL = timedelta(minutes=1)
ORPHAN_AFTER = timedelta(minutes=3)
BATCH_SECONDS = 0.25
WORKER_THREAD_PREFIX = "call-records"  # the one thread that reaches the database
_T = TypeVar("_T")


class CallRecorder:
    """Writes joins, state changes and leaves through the core, one at a time."""

    def __init__(self, flask_app: Flask, worker: ThreadPoolExecutor | None = None) -> None:
        """`worker`: a one-thread executor shared with other nodes in this process (tests run two
        nodes against one database connection); by default the recorder has its own."""
        self._app = flask_app
        self._own_worker = worker is None
        self._worker = worker or records_worker()
        self._pending: set[asyncio.Future[Any]] = set()
        self._batch: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self._flush_timer: asyncio.TimerHandle | None = None

    def joined(
        self, ticket: CallTicket, connection_id: str, channel: str, at: datetime, resumed_elsewhere: bool = False
    ) -> None:
        self._submit(
            call_records.record_join,
            ticket.booking_id,
            ticket.participant,
            ticket.role,
            ticket.display_name,
            channel,
            connection_id,
            at,
            resumed_elsewhere,
        )

    def state(self, connection_id: str, peer: str, state: str, at: datetime) -> None:
        self._submit(call_records.record_state, connection_id, peer, state, at)

    def left(self, connection_id: str, at: datetime, reason: str, quality: QualitySummary | None) -> None:
        self._submit(call_records.record_leave, connection_id, at, reason, quality)

    def touch(self, connection_ids: Collection[str], now: datetime) -> None:
        """Mark live connections seen, and close records of connections nobody has seen lately."""
        if connection_ids:
            self._submit(call_records.touch, list(connection_ids), now)
        self._submit(call_records.close_orphans, now - ORPHAN_AFTER, now)

    async def call(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run a core function in the worker thread inside the app's context; its result or its
        exception. Not batched: it runs as soon as the thread is free."""
        future = asyncio.get_running_loop().run_in_executor(self._worker, self._call, function, args)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return await future

    async def drain(self) -> None:
        """Wait until every event handed over so far is written."""
        self._flush()
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        if self._own_worker:
            self._worker.shutdown(wait=True)

    def _submit(self, function: Callable[..., Any], *args: Any) -> None:
        self._batch.append((function, args))
        if self._flush_timer is None:
            self._flush_timer = asyncio.get_running_loop().call_later(BATCH_SECONDS, self._flush)

    def _flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        batch, self._batch = self._batch, []
        if batch:
            future = asyncio.get_running_loop().run_in_executor(self._worker, self._write, batch)
            self._pending.add(future)
            future.add_done_callback(self._pending.discard)

    def _call(self, function: Callable[..., _T], args: tuple[Any, ...]) -> _T:
        with self._app.app_context():
            return function(*args)

    def _write(self, batch: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
        with self._app.app_context():
            for function, args in batch:
                try:
                    function(*args)
                except Exception:
                    logger.exception("could not record %s", function.__name__)
                    db.session.rollback()


def records_worker() -> ThreadPoolExecutor:
    """The one thread that reaches the database."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=WORKER_THREAD_PREFIX)
