"""Bridges a participant connected to one node to the node that hosts their room, through Redis pub/sub.

Each node listens on its own channel (`rris:sig:inbox:<node id>`). Messages are JSON objects:
  {"k": "open",  "l": LINK, "n": EDGE NODE, "c": CHANNEL, "d": "<join frame>",
   "a": "<the page's Accept-Language>" | null}                                    edge -> host
  {"k": "frame", "l": LINK, "d": "<text frame>"}                                 either way
  {"k": "binary" | "closed" | "error", "l": LINK, "code": int | null}              edge -> host
  {"k": "close", "l": LINK, "code": int, "reason": "<text>"}                      host -> edge
  {"k": "move", "l": LINK}                                                        host -> edge
The edge node (where the WebSocket is) forwards the client's frames as they come; the host serves
the link with the very code that serves its own sockets (`CallService.attend` over a `RemoteSocket`).
Order is kept per connection: each side sends one link's messages from one task, each publish
awaited before the next, so Redis delivers them in that order.

A host that stops listening (killed) is noticed by the edge when a publish reaches nobody, or
when its heartbeat key lapses (checked every beat): the edge tells the client to reconnect
({"type": "reconnect"} and close 1012), and the client resumes with the same ticket, on a node that
claims the room afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMessage, WSMsgType
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from signaling.nodes import INBOX_CHANNEL, RedisNodes
from signaling.protocol import Close, encode
from signaling.rooms import Socket
from signaling.tasks import stop_task

logger = logging.getLogger("signaling.relay")

_CLOSED = WSMessage(WSMsgType.CLOSED, None, None)
_ENDS = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)
RECONNECT = encode("reconnect")

# The host serves a link it was opened: (its socket, the channel, the edge's join frame).
AttendRemote = Callable[["RemoteSocket", str], Awaitable[None]]


class HostGone(Exception):
    """The room's host does not listen any more (it died): claim the room elsewhere."""


class RemoteSocket:
    """The host's end of a participant connected to another node (the `rooms.Socket` shape)."""

    def __init__(self, relay: Relay, link: str, edge: str, accept_language: str | None = None) -> None:
        self._relay = relay
        self.link = link
        self.edge = edge
        self.accept_language = accept_language  # the page's, at the edge: a refusal is worded in it
        self.inbox: asyncio.Queue[WSMessage] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._closed = False
        self._close_code: int | None = None
        self.pump = asyncio.create_task(self._send_forever())

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def close_code(self) -> int | None:
        return self._close_code

    async def send_str(self, data: str) -> None:
        if not self._closed:
            self._outbox.put_nowait({"k": "frame", "l": self.link, "d": data})

    async def receive(self) -> WSMessage:
        if self._closed and self.inbox.empty():
            return _CLOSED
        return await self.inbox.get()

    async def close(self, *, code: int = Close.NORMAL, message: bytes = b"") -> bool:
        if self._closed:
            return False
        self._closed = True
        self._close_code = code
        reason = message.decode(errors="replace")
        self._outbox.put_nowait({"k": "close", "l": self.link, "code": code, "reason": reason})
        self._outbox.put_nowait(None)
        self.inbox.put_nowait(_CLOSED)
        return True

    def ended_at_edge(self, code: int | None, error: bool) -> None:
        """The client's WebSocket ended on the edge node."""
        self._close_code = code
        self.inbox.put_nowait(WSMessage(WSMsgType.ERROR if error else WSMsgType.CLOSED, None, None))
        self._closed = True
        self._outbox.put_nowait(None)

    async def _send_forever(self) -> None:
        while (message := await self._outbox.get()) is not None:
            with contextlib.suppress(RedisError, OSError):  # the edge hears nothing more; its watch notices
                await self._relay.publish(self.edge, message)


class Relay:
    """This node's pub/sub inbox: links it hosts for other nodes, and links it bridges to hosts."""

    def __init__(self, nodes: RedisNodes, attend_remote: AttendRemote) -> None:
        self.nodes = nodes
        self._attend_remote = attend_remote
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._hosted: dict[str, RemoteSocket] = {}  # links served here for clients on other nodes
        self._bridged: dict[str, tuple[str, asyncio.Queue[dict[str, Any]]]] = {}  # link -> (host, messages)
        self._serving: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        with contextlib.suppress(RedisError, OSError):  # Redis is away: the listener subscribes once it is back
            await self._subscribe()
        self._listener = asyncio.create_task(self._listen())
        self._watch = asyncio.create_task(self._watch_hosts())

    async def stop(self) -> None:
        """Tell the clients bridged from here to reconnect (elsewhere), let the hosted links' last
        frames out, and stop listening."""
        for _host, messages in list(self._bridged.values()):
            messages.put_nowait({"k": "move"})
        pumps = [remote.pump for remote in self._hosted.values()]
        if pumps:
            await asyncio.wait(pumps, timeout=self.nodes.timings.redis_timeout_seconds)
        for task in (self._listener, self._watch):
            if task is not None:
                await stop_task(task)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()

    def listening(self) -> bool:
        """Whether this node is subscribed to its inbox (Redis answers, and the others reach it)."""
        return self._pubsub is not None

    async def publish(self, node: str, message: dict[str, Any]) -> int:
        """Send `message` to `node`'s inbox; how many listeners got it (0: that node is gone)."""
        return int(await self.nodes.redis.publish(INBOX_CHANNEL + node, json.dumps(message, separators=(",", ":"))))

    async def bridge(
        self, socket: Socket, host: str, join_frame: str, channel: str, accept_language: str | None = None
    ) -> None:
        """Relay a client's connection to `host` until either end closes; HostGone if the host
        is not listening when the link opens. `accept_language`: the page's, for the host's refusals."""
        link = secrets.token_hex(8)
        messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._bridged[link] = (host, messages)
        try:
            opened: dict[str, Any] = {"k": "open", "l": link, "n": self.nodes.node_id, "c": channel}
            opened.update(d=join_frame, a=accept_language)
            if not await self._publish_or_none(host, opened):
                raise HostGone(host)
            down: asyncio.Task[bool] = asyncio.create_task(self._down(socket, messages))
            try:
                await self._up(socket, host, link, down)
            finally:
                if not down.done():
                    await asyncio.wait({down}, timeout=1.0)
                    down.cancel()
        finally:
            del self._bridged[link]

    async def _up(self, socket: Socket, host: str, link: str, down: asyncio.Task[bool]) -> None:
        """The client's frames to the host, in order, until the client or the host closes."""
        receiving: asyncio.Task[WSMessage] | None = None
        while True:
            receiving = asyncio.ensure_future(socket.receive())
            await asyncio.wait({receiving, down}, return_when=asyncio.FIRST_COMPLETED)
            if not receiving.done():
                receiving.cancel()
                if down.result():  # the client was told to move: the host hears it went
                    await self._publish_or_none(host, {"k": "closed", "l": link, "code": Close.SERVICE_RESTART})
                return
            frame = receiving.result()
            if frame.type in _ENDS:
                kind = "error" if frame.type is WSMsgType.ERROR else "closed"
                await self._publish_or_none(host, {"k": kind, "l": link, "code": socket.close_code})
                return
            message: dict[str, Any] = {"k": "frame", "l": link, "d": frame.data}
            if frame.type is not WSMsgType.TEXT:
                message = {"k": "binary", "l": link}
            if not await self._publish_or_none(host, message):
                await move_elsewhere(socket)
                return

    async def _down(self, socket: Socket, messages: asyncio.Queue[dict[str, Any]]) -> bool:
        """The host's frames to the client, until the host closes the link (False) or a move (True)."""
        while True:
            message = await messages.get()
            if message["k"] == "frame":
                with contextlib.suppress(ConnectionError):
                    await socket.send_str(message["d"])
            elif message["k"] == "close":
                await socket.close(code=int(message["code"]), message=str(message["reason"]).encode()[:120])
                return False
            else:  # "move": the host died, or this node is draining
                await move_elsewhere(socket)
                return True

    async def _publish_or_none(self, host: str, message: dict[str, Any]) -> int:
        try:
            return await self.publish(host, message)
        except (RedisError, OSError):
            return 0

    async def _subscribe(self) -> PubSub:
        if self._pubsub is None:
            pubsub = self.nodes.redis.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(INBOX_CHANNEL + self.nodes.node_id)
            self._pubsub = pubsub
        return self._pubsub

    async def _listen(self) -> None:
        while True:
            try:
                received = await (await self._subscribe()).get_message(timeout=self.nodes.timings.beat_seconds)
            except (RedisError, OSError):
                # Redis is away: subscribe afresh once it is back (what was sent meanwhile is lost,
                # and the links it concerned notice through their hosts' heartbeats).
                broken, self._pubsub = self._pubsub, None
                if broken is not None:
                    with contextlib.suppress(RedisError, OSError):
                        await broken.aclose()
                await asyncio.sleep(self.nodes.timings.beat_seconds)
                continue
            if received is None or received.get("type") != "message":
                continue
            try:
                self._deliver(json.loads(received["data"]))
            except Exception:
                logger.exception("a relayed message could not be delivered")

    def _deliver(self, message: dict[str, Any]) -> None:
        link, kind = message["l"], message["k"]
        if kind == "open":
            remote = RemoteSocket(self, link, message["n"], message.get("a"))
            remote.inbox.put_nowait(WSMessage(WSMsgType.TEXT, message["d"], None))
            self._hosted[link] = remote
            task = asyncio.create_task(self._serve_remote(remote, message["c"]))
            self._serving.add(task)
            task.add_done_callback(self._serving.discard)
        elif kind in ("frame", "binary") and link in self._hosted:
            frame_type = WSMsgType.TEXT if kind == "frame" else WSMsgType.BINARY
            self._hosted[link].inbox.put_nowait(WSMessage(frame_type, message.get("d", b""), None))
        elif kind in ("closed", "error") and link in self._hosted:
            self._hosted[link].ended_at_edge(message.get("code"), kind == "error")
        elif kind in ("close", "frame", "move") and link in self._bridged:
            self._bridged[link][1].put_nowait(message)

    async def _serve_remote(self, remote: RemoteSocket, channel: str) -> None:
        try:
            await self._attend_remote(remote, channel)
        finally:
            await remote.close(code=Close.GOING_AWAY, message=b"service_stopped")
            self._hosted.pop(remote.link, None)

    async def _watch_hosts(self) -> None:
        """Every beat: links whose host's heartbeat lapsed are told to move; links hosted here for
        a node whose heartbeat lapsed end (its clients are away: they come back through another node)."""
        while True:
            await asyncio.sleep(self.nodes.timings.beat_seconds)
            nodes = {host for host, _messages in self._bridged.values()} | {r.edge for r in self._hosted.values()}
            dead = {node for node in nodes if not await self.nodes.is_alive(node)}
            for remote in list(self._hosted.values()):
                if remote.edge in dead and not remote.closed:
                    remote.ended_at_edge(None, error=False)
                    # An edge that was only slow (a stalled loop) still has the page: it reconnects
                    # and resumes, rather than staying on a link nobody serves.
                    await self._publish_or_none(remote.edge, {"k": "move", "l": remote.link})
            for host in dead:
                self.abandon(host)

    def abandon(self, host: str) -> None:
        """`host` is dead (its heartbeat lapsed, or it did not hear a publish): the clients bridged
        to it reconnect, and reach whichever node claims their room now."""
        for bridged_to, messages in list(self._bridged.values()):
            if bridged_to == host:
                logger.warning("node %s is gone; its rooms' participants reconnect", host)
                messages.put_nowait({"k": "move"})


async def move_elsewhere(socket: Socket) -> None:
    """Tell a client its room moved: reconnect at once with the same ticket (and resume)."""
    with contextlib.suppress(ConnectionError):
        await socket.send_str(RECONNECT)
    await socket.close(code=Close.SERVICE_RESTART, message=b"reconnect")
