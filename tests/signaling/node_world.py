"""Two signalling nodes in one test: real servers on 127.0.0.1 sharing one private Redis.

    async with two_nodes(app, clock, redis_server.url) as nodes:
        officer = await nodes.client(nodes.a)     # a page connected to node A
        ...
        await nodes.drain(nodes.a)                # SIGTERM's path: node A hands over and stops

Clients use one session of their own, so stopping a node never closes them from the client side.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import ClientSession
from flask import Flask

from rris.timeutil import Clock
from signaling.nodes import NodeTimings
from signaling.records import records_worker
from tests.support.call_peers import FAST, ProtocolClient, SignalingUnderTest, running_signaling

# The WebSocket heartbeat is long here: a node stopping while aiortc keeps the loop busy must not
# drop a page for a late pong, which would hide whether the node said goodbye.
STEADY = dataclasses.replace(FAST, heartbeat_seconds=10.0)
# Beats a test can wait out. A node counts as dead only after the product's 3 s: both nodes share
# the test's one event loop with its aiortc peers, which on a loaded machine can stall it past a
# shorter span and make a live node look dead (tests/signaling/test_node_failover.py kills nodes).
QUICK = NodeTimings(beat_seconds=0.2, node_ttl_seconds=3.0, room_ttl_seconds=3.0, redis_timeout_seconds=0.5)


@dataclass
class Nodes:
    """The two nodes, and the session their clients connect with."""

    a: SignalingUnderTest
    b: SignalingUnderTest
    session: ClientSession
    stops: dict[str, contextlib.AsyncExitStack] = field(default_factory=dict)

    async def client(self, node: SignalingUnderTest) -> ProtocolClient:
        """A page's WebSocket to `node`."""
        return ProtocolClient(await self.session.ws_connect(node.url, origin=node.origin, autoping=True))

    async def drain(self, node: SignalingUnderTest) -> None:
        """Stop `node` as a stop signal does (aiohttp's shutdown: the service drains)."""
        await self.stops[node.url].aclose()


@contextlib.asynccontextmanager
async def two_nodes(core: Flask, clock: Clock, redis_url: str) -> AsyncIterator[Nodes]:
    """Nodes "node-a" and "node-b" for `core`'s settings, sharing the Redis at `redis_url`."""
    settings = core.extensions["rris.settings"]
    async with contextlib.AsyncExitStack() as outer, ClientSession() as session:
        started = []
        stops = {}
        worker = records_worker()  # one database thread: the test's one connection cannot take two
        outer.callback(worker.shutdown)
        for name in ("node-a", "node-b"):
            stack = contextlib.AsyncExitStack()
            outer.push_async_callback(stack.aclose)
            node_settings = settings.replace(signaling_redis_url=redis_url, signaling_node_id=name)
            node = await stack.enter_async_context(
                running_signaling(
                    core, clock, STEADY, node_settings, node_timings=QUICK, records_worker=worker
                )
            )
            started.append(node)
            stops[node.url] = stack
        yield Nodes(started[0], started[1], session, stops)
