"""Where a signalling node learns what changed for the live on-demand pages connected to it.

`ChangeSource` is the one seam: it waits until something may have changed and answers with the
state, now, of what the node's pages watch once the wait is over (a page that opened during the wait
is in it); `poke` says this node itself just committed a change (an acceptance from a live page) or
has a page that must be told the state, so the wait ends at once. It is the only wake-up: a node
without pages waits in it too, and reads nothing. `PollingChanges` waits RRIS_ONDEMAND_PUSH_MS and
reads, with one indexed query per kind, the availability and live rings of the node's interpreters
and the status of its officers' requests (`rris.ondemand.services.live`). On PostgreSQL,
`signaling.change_notices.NotifiedChanges` pokes it as soon as the database announces a change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import RingOutcome
from rris.ondemand.services.live import (
    CallStatus,
    InterpreterNow,
    call_statuses,
    interpreters_now,
    ring_outcomes,
    ring_summary,
)
from signaling.records import CallRecorder

SUMMARIES_KEPT = 2048  # (call, locale) sentences remembered: a call rings several pages in one language


@dataclass(frozen=True)
class Watched:
    """What a node's pages follow: interpreters (with the locales of their pages), requests, shown rings."""

    interpreters: dict[int, frozenset[str]] = field(default_factory=dict)
    calls: frozenset[int] = frozenset()
    rings: frozenset[int] = frozenset()  # rings some page shows now

    def __bool__(self) -> bool:
        return bool(self.interpreters or self.calls)


@dataclass(frozen=True)
class Snapshot:
    """The state of what is watched: each interpreter's availability and ring, each request's status,
    how the shown rings that stopped ended, and the summary of each new ring in each page's locale."""

    interpreters: dict[int, InterpreterNow]
    calls: dict[int, CallStatus]
    ended: dict[int, RingOutcome]
    summaries: dict[tuple[int, str], str]  # (call id, locale) -> sentence


class ChangeSource(Protocol):
    """Waits until something may have changed; then the state of what `watching()` names."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def next(self, watching: Callable[[], Watched]) -> Snapshot: ...

    def poke(self) -> None: ...


class PollingChanges:
    """Reads the state of what is watched every interval, in the node's database thread."""

    def __init__(self, recorder: CallRecorder, policy: OnDemandPolicy, interval_seconds: float) -> None:
        self.recorder = recorder
        self.policy = policy
        self.interval_seconds = interval_seconds
        self._summaries: dict[tuple[int, str], str] = {}  # touched only in the database thread
        self.poked = asyncio.Event()  # this node committed a change: read now

    async def start(self) -> None:
        return None  # nothing to listen to: it reads at the interval

    async def stop(self) -> None:
        return None

    async def next(self, watching: Callable[[], Watched]) -> Snapshot:
        """The state of what `watching()` names one interval from now, or at once when poked;
        nothing is read when nothing is watched."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.poked.wait(), self.interval_seconds)
        self.poked.clear()  # a poke from here on is a change this read may not see: read again
        watched = watching()  # after the wait: with the pages that opened meanwhile
        if not watched:
            return Snapshot({}, {}, {}, {})
        return await self.recorder.call(self.read, watched)

    def poke(self) -> None:
        """Something changed here (a commit of this node's, a page that opened): read at once."""
        self.poked.set()

    def read(self, watched: Watched) -> Snapshot:
        """The state of `watched` now (in an app context)."""
        interpreters = interpreters_now(watched.interpreters, self.policy)
        calls = call_statuses(watched.calls, self.policy)
        live = {state.ring.ring_id for state in interpreters.values() if state.ring is not None}
        ended = ring_outcomes(watched.rings - live)
        summaries: dict[tuple[int, str], str] = {}
        for interpreter_id, state in interpreters.items():
            if state.ring is None or state.ring.ring_id in watched.rings:
                continue
            for locale in watched.interpreters[interpreter_id]:
                summaries[(state.ring.call_id, locale)] = self._summary(state.ring.call_id, locale)
        return Snapshot(interpreters, calls, ended, summaries)

    def _summary(self, call_id: int, locale: str) -> str:
        key = (call_id, locale)
        if key not in self._summaries:
            if len(self._summaries) >= SUMMARIES_KEPT:
                self._summaries.clear()
            self._summaries[key] = ring_summary(call_id, locale)
        return self._summaries[key]
