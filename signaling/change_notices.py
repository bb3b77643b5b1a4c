"""On PostgreSQL a node hears the moment an on-demand request, ring or availability changed.

The database announces each committed change on the channel `rris_ondemand` (migration 0028's
triggers: sent with the commit, never for a rollback, one per transaction). `NotifiedChanges`
listens on a connection of its own and, as soon as a notice comes, pokes the `PollingChanges` it
wraps, which then reads; several notices during a read are one more read. That still reads every
RRIS_ONDEMAND_PUSH_MS, as it does alone on SQLite: that catches what changes with time alone (a
page gone silent) and covers the moments the listening connection is down (it reconnects every
second).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from signaling.presence_feed import PollingChanges, Snapshot, Watched
from signaling.tasks import stop_task

logger = logging.getLogger("signaling.change_notices")

CHANNEL = "rris_ondemand"
RECONNECT_SECONDS = 1.0


def listens_for_notices(database_url: str) -> bool:
    """Whether the database at this SQLAlchemy URL announces on-demand changes (PostgreSQL does)."""
    return make_url(database_url).get_backend_name() == "postgresql"


def libpq_address(database_url: str) -> str:
    """The SQLAlchemy URL `postgresql+psycopg://...` as libpq's `postgresql://...`."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class NotifiedChanges:
    """A `ChangeSource` that pokes `polling` when the database announces a change: it reads then,
    or at the latest after its interval."""

    def __init__(self, polling: PollingChanges, database_url: str) -> None:
        self.polling = polling
        self._address = libpq_address(database_url)
        self._listener: asyncio.Task[None] | None = None
        self.listening = False

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._listener is not None:
            await stop_task(self._listener)

    async def next(self, watching: Callable[[], Watched]) -> Snapshot:
        """The state of what `watching()` names once a change is announced, or one interval from now."""
        return await self.polling.next(watching)

    def poke(self) -> None:
        """This node committed a change: read at once, without waiting for its notice."""
        self.polling.poke()

    async def _listen_forever(self) -> None:
        told = False  # whether the log said so: once at the start, then once each time they stop again
        while True:
            try:
                await self._listen()
            except psycopg.Error as failure:
                if self.listening or not told:
                    logger.warning(
                        "on-demand notices are not coming (%s); reading at the interval until they do", failure
                    )
                    told = True
            finally:
                self.listening = False
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._address, autocommit=True) as connection:
            await connection.execute(f"LISTEN {CHANNEL}")
            self.listening = True
            self.polling.poke()  # whatever changed while nobody listened
            async for _notice in connection.notifies():
                self.polling.poke()
