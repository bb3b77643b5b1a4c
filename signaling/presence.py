"""The live connection of "an interpreter now": `GET /ondemand/ws`, beside the call sockets.

Client -> server (JSON text frames; the `Origin` must be the portal's, as for /calls/ws):
  {"type": "hello", "ticket": "<presence ticket from the portal>"}   first frame, within 10 s
  {"type": "beat"}                    an interpreter's page, every `heartbeat_seconds`
  {"type": "accept", "ring_id": int}  an interpreter's page takes the call it rings for
  {"type": "decline", "ring_id": int} an interpreter's page lets that call go (she stays available)
Server -> client:
  {"type": "welcome", "heartbeat_seconds": N}
  {"type": "refused", "reason": "<code>", "message": "<sentence in the person's language>"}
      then the socket closes (4401, or 4400 for a first frame that is not a hello); the ticket's
      codes (malformed, bad_signature, wrong_channel, too_early, expired), hello_timeout,
      hello_first; the sentence as `rris.calls.services.socket_refusals` words it
  to an interpreter's pages:
  {"type": "presence", "available": bool}     at the start and whenever it changes (another tab)
  {"type": "ring", "ring_id", "call_id", "until": "<ISO instant the ring lapses>", "summary": "<sentence>"}
  {"type": "ring_ended", "ring_id", "outcome": "accepted" | "declined" | "missed" | "stopped"}
  {"type": "accepted", "ring_id", "call_url"}      her acceptance won: open the call page
  {"type": "accept_refused", "ring_id", "message"} the call is not hers (the sentence in her language)
  {"type": "accept_failed", "ring_id"}             the node could not decide: post the page's form
  {"type": "declined", "ring_id"}                  her decline is committed (the ring ends as declined)
  {"type": "decline_refused", "ring_id", "message"} the ring was not hers to decline any more
  {"type": "decline_failed", "ring_id"}            the node could not decide: post the page's form
  to an officer's page:
  {"type": "status", "state", "position": int|null, "expected_wait_seconds": int|null, "call_url": str|null}

The beats of all the node's pages are written together at each push interval (`heartbeats`). When
an interpreter's last page here closes, a page of hers that opens here within a short grace (a
reload, a network drop of a moment) keeps her reachable and is shown her ring again, as does a
page of hers on another signalling node that beat since (nginx may send a reload to any node);
otherwise she stops being reachable when the grace ends (`went_away`: her ring ends as missed and rings the next).
The grace is the call service's for a dropped participant, at most half the heartbeat's span. A
page silent for the heartbeat's span is closed (4408, "silent"); its beats had stopped counting
already. What this node commits itself (an acceptance or a decline on the socket, her going away) it reads and
pushes at once instead of at its next interval: the officer's page here is told in the same
moment, the next interpreter rung in the same way (on PostgreSQL the commit's notice tells the
other nodes); a page that opens is told the state at once too. Pushes come from the `ChangeSource`
(`signaling/presence_feed.py`); the pages and the frames they are sent are in
`signaling/presence_pages.py`. Database work runs in the node's one database thread
(`signaling/records.py`), never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web

from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.presence import reachable_since
from rris.ondemand.domain.presence_tickets import PresenceKind, PresenceTicket, TicketRejected, read_presence_ticket
from rris.ondemand.services.live import CallStatus, InterpreterNow
from rris.ondemand.services.live_answers import accept_from_page, decline_from_page
from rris.ondemand.services.presence import heartbeats, went_away
from rris.settings import Settings
from rris.timeutil import Clock
from signaling.calls import Timings, origin_of
from signaling.presence_feed import ChangeSource, Snapshot, Watched
from signaling.presence_pages import Page, Refused, fields_of, interpreter_frames, status_frame, whole
from signaling.protocol import JOIN_TIMEOUT_SECONDS, Close, encode
from signaling.records import CallRecorder
from signaling.refusals import worded
from signaling.roster import Roster

logger = logging.getLogger("signaling.presence")

PRESENCE_PATH = "/ondemand/ws"
MAX_FRAME_BYTES = 4 * 1024  # a hello with its ticket, or a beat
SILENT = 4408  # no beat within the heartbeat's span


class PresenceService:
    """The pages connected to this node, their beats, and what they are told."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        recorder: CallRecorder,
        source: ChangeSource,
        timings: Timings,
        roster: Roster | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.recorder = recorder
        self.source = source
        self.timings = timings
        self.roster = roster  # the call service's: vouches for the two people of an acceptance here
        self.policy = OnDemandPolicy.from_settings(settings)
        self.allowed_origin = origin_of(settings.public_url)
        self.interpreters: dict[int, list[Page]] = defaultdict(list)
        self.officers: dict[int, list[Page]] = defaultdict(list)  # by OnDemandCall id
        self._beats: set[int] = set()
        self._shown: dict[int, InterpreterNow] = {}  # what her pages were told last
        self._statuses: dict[int, CallStatus] = {}  # what the officers' pages were told last
        # A closed page may come back (a reload, a dropped network): well within the heartbeat's span.
        self.reconnect_grace_seconds = reconnect_grace(timings, self.policy.heartbeat_seconds)
        self._going: dict[int, asyncio.TimerHandle] = {}  # interpreters whose last page closed, by id
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /ondemand/ws: one live page, from its hello to its close."""
        if request.headers.get("Origin") != self.allowed_origin:
            raise web.HTTPForbidden(text="This connection can only be opened from the RRIS portal.")
        socket = web.WebSocketResponse(
            max_msg_size=MAX_FRAME_BYTES, heartbeat=self.timings.heartbeat_seconds, autoping=True
        )
        await socket.prepare(request)
        try:
            ticket = await self._hello(socket)
        except Refused as refusal:
            logger.info("refused a presence socket: %s", refusal.reason)
            accepted = request.headers.get("Accept-Language")
            message = await worded(self.recorder, refusal.reason, refusal.message, refusal.locale, accepted)
            with contextlib.suppress(ConnectionError):
                await socket.send_str(encode("refused", reason=refusal.reason, message=message))
                await socket.close(code=refusal.close_code, message=refusal.reason.encode())
            return socket
        page = Page(socket, ticket, self.clock.now())
        self._enter(page)
        try:
            await page.send("welcome", heartbeat_seconds=self.policy.heartbeat_seconds)
            await self._serve(page)
        finally:
            await asyncio.shield(self._leave(page))
        return socket

    async def _hello(self, socket: web.WebSocketResponse) -> PresenceTicket:
        try:
            frame = await asyncio.wait_for(socket.receive(), JOIN_TIMEOUT_SECONDS)
        except TimeoutError:
            raise Refused("hello_timeout", "Send the hello frame first.") from None
        fields = fields_of(frame)
        if fields.get("type") != "hello":
            raise Refused("hello_first", "The first frame must be a hello frame.", Close.BAD_FRAME)
        try:
            return read_presence_ticket(fields.get("ticket"), self.settings.secret_key, self.clock.now())
        except TicketRejected as rejected:
            raise Refused(rejected.reason, str(rejected), locale=rejected.locale) from None

    def _enter(self, page: Page) -> None:
        ticket = page.ticket
        if ticket.kind is PresenceKind.INTERPRETER:
            assert ticket.interpreter_id is not None
            going = self._going.pop(ticket.interpreter_id, None)
            if going is not None:  # back within the grace: she never went away
                going.cancel()
            self.interpreters[ticket.interpreter_id].append(page)
            self._beats.add(ticket.interpreter_id)  # opening the page counts as a beat
        else:
            assert ticket.call_id is not None
            self.officers[ticket.call_id].append(page)
        self.source.poke()  # a page that opens (or reloads) is told the state now, not at the next read

    async def _serve(self, page: Page) -> None:
        while True:
            frame = await page.socket.receive()
            if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            if not page.frames.take():
                await page.socket.close(code=Close.FLOOD, message=b"flood")
                return
            fields = fields_of(frame)
            kind, ring_id = fields.get("type"), fields.get("ring_id")
            if kind == "beat" and page.ticket.interpreter_id is not None:
                page.last_beat = self.clock.now()
                self._beats.add(page.ticket.interpreter_id)
            elif kind == "accept" and page.ticket.interpreter_id is not None and whole(ring_id):
                await self._accept(page, page.ticket.interpreter_id, ring_id)
            elif kind == "decline" and page.ticket.interpreter_id is not None and whole(ring_id):
                await self._decline(page, page.ticket.interpreter_id, ring_id)
            elif kind != "beat":
                await page.socket.close(code=Close.INVALID_MESSAGE, message=b"unknown_type")
                return

    async def _leave(self, page: Page) -> None:
        if not page.socket.closed:
            await page.socket.close()
        ticket = page.ticket
        if ticket.interpreter_id is not None:
            pages = self.interpreters[ticket.interpreter_id]
            pages.remove(page)
            if not pages:
                del self.interpreters[ticket.interpreter_id]
                self._shown.pop(ticket.interpreter_id, None)
                self._beats.discard(ticket.interpreter_id)
                if self._stopping:  # a node that stops does not make her unreachable: she reconnects
                    return
                left_at = self.clock.now()
                if page.silenced:  # her beats had lapsed already
                    await self._went_away(ticket.interpreter_id, left_at)
                else:
                    self._going[ticket.interpreter_id] = asyncio.get_running_loop().call_later(
                        self.reconnect_grace_seconds, self._gone, ticket.interpreter_id, left_at
                    )
        elif ticket.call_id is not None:
            pages = self.officers[ticket.call_id]
            pages.remove(page)
            if not pages:
                del self.officers[ticket.call_id]
                self._statuses.pop(ticket.call_id, None)

    async def _accept(self, page: Page, interpreter_id: int, ring_id: int) -> None:
        """She takes the call from this page: committed here, then every page here is told at once."""
        shown = self._shown.get(interpreter_id)
        ringing = shown.ring if shown is not None else None
        call_id = ringing.call_id if ringing is not None and ringing.ring_id == ring_id else None
        officer_ids = {p.ticket.user_id for p in self.officers.get(call_id or 0, []) if p.ticket.user_id is not None}
        try:
            answer = await self.recorder.call(
                accept_from_page,
                ring_id,
                interpreter_id,
                self.clock.now(),
                self.policy,
                page.ticket.locale,
                officer_ids,
            )
        except Exception:
            logger.exception("interpreter %s could not accept ring %s on her live page", interpreter_id, ring_id)
            await page.send("accept_failed", ring_id=ring_id)  # her page posts its form instead
            return
        self.source.poke()  # the other rings here stop at the read it starts now
        if self.roster is not None and answer.booking_id is not None:  # their first joins here: no read of their own
            self.roster.vouch(answer.booking_id, answer.sides, self.timings.roster_check_seconds)
        if answer.call_url is not None and answer.call_id is not None and answer.status is not None:
            # Her officer's pages here are told with her, no read (any read begun before was pushed already).
            answered = Snapshot({}, {answer.call_id: answer.status}, {}, {})
            await asyncio.gather(self.push(answered), page.send("accepted", ring_id=ring_id, call_url=answer.call_url))
        else:
            await page.send("accept_refused", ring_id=ring_id, message=answer.refusal or "")

    async def _decline(self, page: Page, interpreter_id: int, ring_id: int) -> None:
        """She lets the call go from this page: committed here; the read it starts rings the next."""
        try:
            refusal = await self.recorder.call(
                decline_from_page, ring_id, interpreter_id, self.clock.now(), self.policy, page.ticket.locale
            )
        except Exception:
            logger.exception("interpreter %s could not decline ring %s on her live page", interpreter_id, ring_id)
            await page.send("decline_failed", ring_id=ring_id)  # her page posts its form instead
            return
        self.source.poke()  # her ring ends on her other pages, and the next interpreter's page rings
        if refusal is None:
            await page.send("declined", ring_id=ring_id)
        else:
            await page.send("decline_refused", ring_id=ring_id, message=refusal)

    def _gone(self, interpreter_id: int, left_at: datetime) -> None:
        self._going.pop(interpreter_id, None)
        task = asyncio.ensure_future(self._went_away(interpreter_id, left_at))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _went_away(self, interpreter_id: int, left_at: datetime) -> None:
        try:
            await self.recorder.call(went_away, interpreter_id, self.clock.now(), self.policy, left_at)
        except Exception:
            logger.exception("interpreter %s went away but could not be marked unreachable", interpreter_id)
            return
        self.source.poke()  # her ring ended and may ring the next: this node committed it, tell its pages now

    async def run(self) -> None:
        """Write the beats, learn what changed, push it, close silent pages; until cancelled."""
        while True:
            try:
                await self._write_beats()
                await self.push(await self.source.next(self._watched))  # what is watched once it wakes
                await self._close_silent()
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad round must not end the pushes for every later one
                logger.exception("the live on-demand pages could not be updated")
                await asyncio.sleep(1.0)

    async def _write_beats(self) -> None:
        if not self._beats:
            return
        beats, self._beats = self._beats, set()
        await self.recorder.call(heartbeats, beats, self.clock.now(), self.policy)

    def _watched(self) -> Watched:
        locales = {i: frozenset(page.ticket.locale for page in pages) for i, pages in self.interpreters.items()}
        # A ring some page of hers has not shown yet (a new tab) needs its summary in that page's locale.
        shown = frozenset(
            state.ring.ring_id
            for interpreter_id, state in self._shown.items()
            if state.ring is not None and not any(page.fresh for page in self.interpreters.get(interpreter_id, []))
        )
        return Watched(locales, frozenset(self.officers), shown)

    async def push(self, snapshot: Snapshot) -> None:
        """Tell each page what changed since it was last told (a new page: the state now)."""
        sends: list[Coroutine[Any, Any, None]] = []
        for interpreter_id, state in snapshot.interpreters.items():
            pages = self.interpreters.get(interpreter_id)
            if not pages:
                continue  # her last page closed while the state was read
            before = self._shown.get(interpreter_id)
            self._shown[interpreter_id] = state
            for page in pages:
                told = None if page.fresh else before
                page.fresh = False
                sends.extend(interpreter_frames(page, told, state, snapshot))
        for call_id, status in snapshot.calls.items():
            if not self.officers.get(call_id):
                continue
            before_status = self._statuses.get(call_id)
            self._statuses[call_id] = status
            for page in self.officers[call_id]:
                if page.fresh or status != before_status:
                    page.fresh = False
                    sends.append(status_frame(page, status))
        await asyncio.gather(*sends)

    async def _close_silent(self) -> None:
        oldest = reachable_since(self.clock.now(), self.policy.heartbeat_seconds)
        for pages in list(self.interpreters.values()):
            for page in pages:
                if page.last_beat < oldest and not page.socket.closed:
                    page.silenced = True
                    await page.send("error", code="silent", message="No heartbeat came in time.")
                    await page.socket.close(code=SILENT, message=b"silent")

    async def shutdown(self) -> None:
        """Close every page (the service is stopping; the pages reconnect to another node)."""
        self._stopping = True
        for going in self._going.values():  # nobody went away: the pages reconnect to another node
            going.cancel()
        self._going.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for pages in [*self.interpreters.values(), *self.officers.values()]:
            for page in list(pages):
                with contextlib.suppress(ConnectionError):
                    await page.socket.close(code=Close.GOING_AWAY, message=b"service_stopped")


def reconnect_grace(timings: Timings, heartbeat_seconds: float) -> float:
    """How long an interpreter whose last page closed stays reachable for a page of hers to come
    back: the call service's grace for a dropped participant, at most half the heartbeat's span."""
    return min(timings.away_grace_seconds, heartbeat_seconds / 2)
