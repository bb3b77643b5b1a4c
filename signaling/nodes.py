"""Where a call's room lives, and which tickets are used up: in this process, or shared through Redis.

One signalling node (`make run`) keeps both in memory (`LocalNodes`). Several nodes share one
Redis (`RedisNodes`, RRIS_SIGNALING_REDIS_URL), the model LiveKit documents:

- each node reports itself with a heartbeat: the key `rris:sig:node:<id>` lives NODE_TTL and the
  node sets it again every beat, so a node killed with -9 is missing within NODE_TTL;
- a room is hosted on one node: `rris:sig:room:<room>` names it. The first node a participant
  reaches claims the room atomically (a Lua script: free, or held by a node whose heartbeat is
  gone, or by a node the caller found deaf); the host refreshes the claim every beat and lets it
  expire once the room is empty. A participant connected to another node is bridged to the host
  through Redis pub/sub (`signaling.relay`), so one process holds each room and "one live
  connection per participant" is the host's rule, as on a single node;
- a ticket whose holder left is marked used in `rris:sig:used:<nonce>` until it expires, so it is
  refused on every node.

When Redis does not answer, no join can be placed: `NodesUnavailable`, and the call service
refuses the join with a clear sentence ("service_unavailable"). Calls already running keep
their peer-to-peer media; everything resumes once Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from rris.calls.domain.call_tickets import CallTicket
from signaling.tasks import stop_task

logger = logging.getLogger("signaling.nodes")

PREFIX = "rris:sig:"
NODE_KEY = PREFIX + "node:"
ROOM_KEY = PREFIX + "room:"
USED_KEY = PREFIX + "used:"
INBOX_CHANNEL = PREFIX + "inbox:"  # a node's pub/sub channel (`signaling.relay`)

# Claim the room KEYS[1] for ARGV[1] (for ARGV[2] ms) unless a live node holds it; returns the host.
# A holder whose heartbeat key (ARGV[3] .. holder) is gone, or that the caller found deaf (ARGV[4]), is dead.
_CLAIM = """
local host = redis.call('GET', KEYS[1])
if host and host ~= ARGV[1] and host ~= ARGV[4] and redis.call('EXISTS', ARGV[3] .. host) == 1 then
  return host
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
"""
# Keep the claim on each room of KEYS that ARGV[1] holds or nobody does (for ARGV[2] ms), in one
# round trip however many rooms a node hosts; returns each room's holder afterwards.
_KEEP = """
local holders = {}
for i, key in ipairs(KEYS) do
  local host = redis.call('GET', key)
  if host and host ~= ARGV[1] then
    holders[i] = host
  else
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    holders[i] = ARGV[1]
  end
end
return holders
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class NodesUnavailable(Exception):
    """The shared state (Redis) does not answer: no join can be placed just now."""


@dataclass(frozen=True)
class NodeTimings:
    """How often a node reports itself and how soon a silent one counts as dead; tests shorten them."""

    beat_seconds: float = 1.0
    node_ttl_seconds: float = 3.0  # a node killed with -9 is noticed this soon
    room_ttl_seconds: float = 3.0  # an empty room's claim lapses this soon
    redis_timeout_seconds: float = 1.0  # a Redis that does not answer fails a join this soon


# Hooks the call service gives a node: the rooms it hosts now, and what to do with one it lost.
HostedRooms = Callable[[], Collection[str]]
LostRoom = Callable[[str], Awaitable[None]]


class Nodes(Protocol):
    """Rooms' hosts and used tickets, as the call service needs them."""

    node_id: str

    async def start(self, hosted: HostedRooms, lost: LostRoom) -> None:
        """Begin reporting this node (and refreshing the claims of `hosted` rooms)."""

    async def stop(self, rooms: Collection[str]) -> None:
        """Stop keeping rooms and hand `rooms` over (the node drains)."""

    async def close(self) -> None:
        """Leave the nodes and let go of the shared state's connections (after `stop`)."""

    async def host_of(self, room: str, deaf: str | None = None) -> str:
        """The node that hosts `room`, claiming it for this node if nobody live does; `deaf` is a
        node found not listening. NodesUnavailable when that cannot be decided."""

    async def is_alive(self, node: str) -> bool:
        """Whether `node`'s heartbeat is current (True when that cannot be told)."""

    async def burn(self, ticket: CallTicket, now: datetime) -> None:
        """The holder left (at `now`): refuse this ticket from now on, on every node."""

    async def is_burnt(self, ticket: CallTicket) -> bool:
        """Whether the ticket's holder left; NodesUnavailable when that cannot be told."""

    def forget_expired(self, now: datetime) -> None:
        """Drop what only expired tickets needed (they are refused as expired anyway)."""


class LocalNodes:
    """One node: every room is hosted here, used tickets are remembered in this process."""

    node_id = "local"

    def __init__(self) -> None:
        self._used_nonces: dict[str, datetime] = {}  # nonce -> the ticket's expiry (forgotten after it)

    async def start(self, hosted: HostedRooms, lost: LostRoom) -> None:
        return None

    async def stop(self, rooms: Collection[str]) -> None:
        return None

    async def close(self) -> None:
        return None

    async def host_of(self, room: str, deaf: str | None = None) -> str:
        return self.node_id

    async def is_alive(self, node: str) -> bool:
        return node == self.node_id

    async def burn(self, ticket: CallTicket, now: datetime) -> None:
        self._used_nonces[ticket.nonce] = ticket.expires_at

    async def is_burnt(self, ticket: CallTicket) -> bool:
        return ticket.nonce in self._used_nonces

    def forget_expired(self, now: datetime) -> None:
        for nonce, expires_at in list(self._used_nonces.items()):
            if expires_at <= now:
                del self._used_nonces[nonce]


class RedisNodes:
    """Several nodes sharing rooms and used tickets through one Redis."""

    def __init__(self, url: str, node_id: str = "", timings: NodeTimings | None = None) -> None:
        self.timings = timings or NodeTimings()
        self.node_id = node_id or default_node_id()
        self.redis: Redis = Redis.from_url(
            url,
            socket_timeout=self.timings.redis_timeout_seconds,
            socket_connect_timeout=self.timings.redis_timeout_seconds,
            health_check_interval=max(1, int(self.timings.beat_seconds)),
        )
        self._beat: asyncio.Task[None] | None = None
        self.available = False
        # Whether this node hears the others (its relay is subscribed): until it does, it does not
        # report itself or keep its rooms, so no node bridges a page to a node that cannot hear it.
        self.listening: Callable[[], bool] = lambda: True

    async def start(self, hosted: HostedRooms, lost: LostRoom) -> None:
        self._beat = asyncio.create_task(self._beat_forever(hosted, lost))
        try:
            if self.listening():
                await self._report()
        except NodesUnavailable:
            logger.error("Redis does not answer: node %s refuses calls until it does", self.node_id)

    async def stop(self, rooms: Collection[str]) -> None:
        if self._beat is not None:
            await stop_task(self._beat)
        with contextlib.suppress(RedisError, OSError):
            for room in rooms:
                await self.redis.eval(_RELEASE, 1, ROOM_KEY + room, self.node_id)

    async def close(self) -> None:
        # Last: until now the pages bridged here heard of the drain from this node itself.
        with contextlib.suppress(RedisError, OSError):
            await self.redis.delete(NODE_KEY + self.node_id)
        await self.redis.aclose()

    async def host_of(self, room: str, deaf: str | None = None) -> str:
        host = await self._ask(
            self.redis.eval(
                _CLAIM, 1, ROOM_KEY + room, self.node_id, self._ms(self.timings.room_ttl_seconds), NODE_KEY, deaf or ""
            )
        )
        return _text(host)

    async def is_alive(self, node: str) -> bool:
        if node == self.node_id:
            return True
        try:
            return bool(await self._ask(self.redis.exists(NODE_KEY + node)))
        except NodesUnavailable:
            return True  # Redis is away, not necessarily the node

    async def burn(self, ticket: CallTicket, now: datetime) -> None:
        # Kept as long as the ticket is valid, counted from the service's clock (not Redis's).
        lifetime = self._ms((ticket.expires_at - now).total_seconds())
        try:
            await self._ask(self.redis.set(USED_KEY + ticket.nonce, "1", px=lifetime))
        except NodesUnavailable:
            logger.error("a used ticket could not be marked in Redis; it stays usable on other nodes until it expires")

    async def is_burnt(self, ticket: CallTicket) -> bool:
        return bool(await self._ask(self.redis.exists(USED_KEY + ticket.nonce)))

    def forget_expired(self, now: datetime) -> None:
        return None  # Redis drops each used ticket when it expires

    async def _beat_forever(self, hosted: HostedRooms, lost: LostRoom) -> None:
        while True:
            await asyncio.sleep(self.timings.beat_seconds)
            if not self.listening():
                continue
            try:
                await self._report()
                for room, holder in await self._keep(list(hosted())):
                    if holder != self.node_id:
                        logger.warning("room %s is now hosted on %s; its participants move there", room, holder)
                        await lost(room)
            except (NodesUnavailable, RedisError, OSError) as failure:
                if self.available:
                    logger.error("Redis does not answer (%s): no new calls until it does", failure)
                self.available = False
            except Exception:
                logger.exception("the node's heartbeat failed")

    async def _keep(self, rooms: list[str]) -> list[tuple[str, str]]:
        """Refresh the claims of `rooms` in one round trip (a node hosting hundreds must still beat
        within the TTLs); each room with its holder afterwards."""
        if not rooms:
            return []
        keys = [ROOM_KEY + room for room in rooms]
        holders = await self.redis.eval(_KEEP, len(keys), *keys, self.node_id, self._ms(self.timings.room_ttl_seconds))
        return [(room, _text(holder)) for room, holder in zip(rooms, holders, strict=True)]

    async def _report(self) -> None:
        await self._ask(self.redis.set(NODE_KEY + self.node_id, "1", px=self._ms(self.timings.node_ttl_seconds)))
        if not self.available:
            logger.info("node %s reports to Redis", self.node_id)
        self.available = True

    async def _ask(self, command: Awaitable[Any]) -> Any:
        try:
            return await command
        except (RedisError, OSError) as failure:
            self.available = False
            raise NodesUnavailable(str(failure)) from failure

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))


def default_node_id() -> str:
    """This process's name among the nodes: host, process id and a random tail (a restart is a new node)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
