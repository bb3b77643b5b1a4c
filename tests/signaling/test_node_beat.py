"""A node hosting many rooms keeps beating within its TTLs when Redis is a few milliseconds away.

The node's Redis traffic goes through a link on 127.0.0.1 that holds every chunk it forwards
for LINK_DELAY_SECONDS, as a Redis on another machine would; the other node sees Redis directly.
The cluster benchmark found the failure this guards against: a node refreshing its rooms' claims
one round trip each let its heartbeat and its claims lapse once it hosted a few hundred rooms, so
the other node took its rooms and told their pages to reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from deploy.local.redis import HOST
from signaling.nodes import ROOM_KEY, RedisNodes
from tests.signaling.node_world import QUICK

LINK_DELAY_SECONDS = 0.02
ROOMS = 60  # one round trip each would take 1.2 s, twice the TTLs (0.6 s)
WATCH_SECONDS = 2.0
LOOK_EVERY_SECONDS = 0.05


@contextlib.asynccontextmanager
async def slow_link(port: int, delay: float) -> AsyncIterator[int]:
    """A TCP relay on 127.0.0.1 to `port` that forwards each chunk `delay` seconds late; yields its port."""
    tasks: set[asyncio.Task[None]] = set()

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                await asyncio.sleep(delay)
                writer.write(chunk)
                await writer.drain()
        writer.close()

    async def serve(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(HOST, port)
        for task in (pump(client_reader, server_writer), pump(server_reader, client_writer)):
            tasks.add(asyncio.create_task(task))

    server = await asyncio.start_server(serve, HOST, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def test_a_node_hosting_many_rooms_over_a_slow_link_stays_alive_and_keeps_them(redis_server):
    rooms = [f"beat-{n:03d}" for n in range(ROOMS)]
    lost: list[str] = []

    async def lose(room: str) -> None:
        lost.append(room)

    async def scenario() -> None:
        async with slow_link(redis_server.port, LINK_DELAY_SECONDS) as port:
            far = RedisNodes(f"redis://{HOST}:{port}/0", "far", QUICK)
            near = RedisNodes(redis_server.url, "near", QUICK)
            direct = Redis.from_url(redis_server.url, decode_responses=True)
            try:
                await far.start(lambda: rooms, lose)
                claims = [await far.host_of(room) for room in rooms]
                assert set(claims) == {"far"}
                dead_moments, moved = 0, set()
                for _ in range(int(WATCH_SECONDS / LOOK_EVERY_SECONDS)):
                    await asyncio.sleep(LOOK_EVERY_SECONDS)
                    dead_moments += not await near.is_alive("far")
                    holders = await direct.mget([ROOM_KEY + room for room in rooms])
                    moved |= {room for room, holder in zip(rooms, holders, strict=True) if holder != "far"}
                assert dead_moments == 0, "the other node saw the busy node's heartbeat lapse"
                assert moved == set(), f"{len(moved)} rooms' claims lapsed"
                assert lost == []
            finally:
                await far.stop([])
                await far.close()
                await near.close()
                await direct.aclose()

    asyncio.run(scenario())
