"""Signalling on one node and on two sharing Redis: the same rooms, clients and relay on each.

One node is the service as `make run` starts it (rooms in its memory). Two nodes are two
`python -m signaling` processes sharing a redis-server, as `make cluster` starts them: room n is
hosted by node n mod 2 (its officer joins there first), and its interpreter joins through the
other node, so half of the clients are bridged to their room's host through Redis pub/sub. The
relay goes both ways: in every other room the bridged interpreter sends, so half of the
candidates go edge -> Redis -> host and half host -> Redis -> edge. Memory is the nodes' RSS
together (Redis's own is reported apart); the nodes share this machine's cores, so the two-node
figures show what bridging costs, not what a second machine adds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from redis.asyncio import Redis

from benchmarks.call_capacity import (
    SPARE_FILES,
    CapacityPlan,
    CapacityResults,
    allow_open_files,
    drive_rooms,
    process_rss_kib,
    signaling_process,
)
from benchmarks.call_rooms import BenchRoom
from deploy.local.redis import LocalRedis
from signaling.nodes import ROOM_KEY

logger = logging.getLogger(__name__)


@dataclass
class NodesRun:
    """What one run saw: the clients' results, each node's hosted rooms, Redis's memory."""

    nodes: int
    results: CapacityResults
    hosted: dict[str, int] = field(default_factory=dict)  # node id -> rooms it hosted while all were held
    warnings: int = 0
    redis_rss_kib: dict[str, int] = field(default_factory=dict)


def run_nodes(core: Flask, folder: Path, rooms: list[BenchRoom], plan: CapacityPlan, nodes: int) -> NodesRun:
    """Open `plan.rooms` rooms (after one warm-up room per node) on `nodes` signalling processes."""
    if len(rooms) < plan.rooms + nodes:
        raise ValueError(f"{plan.rooms} rooms and {nodes} warm-ups need {plan.rooms + nodes} bookings")
    settings = core.extensions["rris.settings"]
    allow_open_files(2 * plan.clients + SPARE_FILES)
    with ExitStack() as stack:
        redis = stack.enter_context(LocalRedis(folder / "redis")) if nodes > 1 else None
        servers = [
            stack.enter_context(
                signaling_process(settings, folder, node=f"node-{n}", redis_url=redis.url if redis else "")
            )
            for n in range(1, nodes + 1)
        ]
        run = NodesRun(nodes, CapacityResults())
        if redis is not None:
            run.redis_rss_kib["base"] = process_rss_kib(redis.pid)

        async def count_hosts() -> None:
            if redis is not None:
                run.hosted = await _hosts(redis.url, [room.name for room in rooms[nodes : plan.rooms + nodes]])
                run.redis_rss_kib["idle"] = process_rss_kib(redis.pid)

        run.results = asyncio.run(
            drive_rooms(servers, settings, rooms[: plan.rooms + nodes], plan, both_ways=True, while_held=count_hosts)
        )
        # Counted before the nodes stop: a stopping node is rightly noticed gone by the other.
        for server in servers:
            for line in server.log.read_text(errors="replace").splitlines():
                if " WARNING " in line or " ERROR " in line:
                    run.warnings += 1
                    logger.warning("%s: %s", server.log.name, line)
    return run


async def _hosts(url: str, rooms: list[str]) -> dict[str, int]:
    """How many of `rooms` each node hosts, as Redis records it."""
    client = Redis.from_url(url, decode_responses=True)
    try:
        hosts = await client.mget([ROOM_KEY + room for room in rooms])
    finally:
        await client.aclose()
    held: Counter[str] = Counter(str(host) if host else "none" for host in hosts)  # str: decode_responses
    return dict(sorted(held.items()))
