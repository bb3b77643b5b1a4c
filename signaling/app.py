"""The signaling aiohttp application; all of its state lives on the `Application` object."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from flask import Flask

from rris.app import create_app
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.phone.services.phone_guard import PhoneSetup
from rris.settings import Settings
from rris.timeutil import Clock, SystemClock
from signaling.calls import CallService, Timings
from signaling.change_notices import NotifiedChanges, listens_for_notices
from signaling.nodes import LocalNodes, Nodes, NodeTimings, RedisNodes
from signaling.ondemand_calls import OnDemandCalls
from signaling.phone_desk import PhoneDesk
from signaling.phone_stream import PHONE_STREAM_PATH, PhoneStreams
from signaling.presence import PRESENCE_PATH, PresenceService
from signaling.presence_feed import ChangeSource, PollingChanges
from signaling.records import TOUCH_INTERVAL, CallRecorder
from signaling.relay import Relay
from signaling.tasks import stop_task

logger = logging.getLogger("signaling.app")

SETTINGS = web.AppKey("settings", Settings)
CALLS = web.AppKey("calls", CallService)
PHONES = web.AppKey("phones", PhoneDesk)
PRESENCE = web.AppKey("presence", PresenceService)
ONDEMAND_CALLS = web.AppKey("ondemand_calls", OnDemandCalls)


def create_signaling_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    core: Flask | None = None,
    timings: Timings | None = None,
    node_timings: NodeTimings | None = None,
    records_worker: ThreadPoolExecutor | None = None,
) -> web.Application:
    """Build the signaling application for `settings` (no network at build time).

    `core` is the Flask app whose database receives the call records and the phone legs; by
    default one is built from the same settings. With RRIS_SIGNALING_REDIS_URL the node shares
    rooms and used tickets with the other nodes (`signaling.nodes`, `signaling.relay`).
    `records_worker`: the database thread, when nodes in one process share one (tests).
    """
    app = web.Application()
    app[SETTINGS] = settings
    clock = clock or SystemClock()
    timings = timings or Timings()
    recorder = CallRecorder(core or create_app(settings), records_worker)
    phones = PhoneDesk(recorder, clock, PhoneSetup.from_settings(settings))
    policy = OnDemandPolicy.from_settings(settings)
    ondemand_calls = OnDemandCalls(recorder, clock, policy, timings.away_grace_seconds)
    nodes: Nodes = LocalNodes()
    if settings.signaling_redis_url:
        nodes = RedisNodes(settings.signaling_redis_url, settings.signaling_node_id, node_timings)
    calls = CallService(settings, clock, recorder, timings, phones, ondemand_calls, nodes)
    if isinstance(nodes, RedisNodes):
        calls.relay = Relay(
            nodes, lambda socket, channel: calls.attend(socket, channel, socket.accept_language, routed=True)
        )
        nodes.listening = calls.relay.listening
    polling = PollingChanges(recorder, policy, settings.ondemand_push_ms / 1000)
    changes: ChangeSource = polling
    if listens_for_notices(settings.database_url):
        changes = NotifiedChanges(polling, settings.database_url)
    presence = PresenceService(settings, clock, recorder, changes, timings, calls.roster)
    app[CALLS] = calls
    app[PHONES] = phones
    app[PRESENCE] = presence
    app[ONDEMAND_CALLS] = ondemand_calls
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/calls/ws", calls.handle)
    app.router.add_get(PHONE_STREAM_PATH, PhoneStreams(settings, clock, calls, phones, timings).handle)
    app.router.add_get(PRESENCE_PATH, presence.handle)
    app.on_shutdown.append(_close_calls)
    app.cleanup_ctx.append(_node_upkeep)
    app.cleanup_ctx.append(_records_upkeep)
    app.cleanup_ctx.append(_roster_watch)
    app.cleanup_ctx.append(_presence_pushes)
    return app


async def _node_upkeep(app: web.Application) -> AsyncIterator[None]:
    """Report this node to the others (and listen for their bridges) while it serves."""
    calls = app[CALLS]
    if calls.relay is not None:
        await calls.relay.start()  # first: a node reports itself only once it hears the others
    await calls.nodes.start(lambda: [room.id for room in calls.rooms], calls.moved)
    yield
    await calls.nodes.close()


async def _records_upkeep(app: web.Application) -> AsyncIterator[None]:
    """Mark live connections seen every minute; at the end flush the records."""
    calls = app[CALLS]

    async def every_minute() -> None:
        while True:
            calls.touch()
            await asyncio.sleep(TOUCH_INTERVAL.total_seconds())

    upkeep = asyncio.create_task(every_minute())
    yield
    await stop_task(upkeep)
    await app[PHONES].close()
    await calls.recorder.close()


async def _roster_watch(app: web.Application) -> AsyncIterator[None]:
    """Every few seconds, cut off the connected people who no longer take part in their session."""
    calls = app[CALLS]

    async def every_interval() -> None:
        while True:
            await asyncio.sleep(calls.timings.roster_check_seconds)
            try:
                await calls.check_rosters()
            except Exception:  # one bad sweep must not end the watch for every later one
                logger.exception("the call rosters could not be checked")

    watch = asyncio.create_task(every_interval())
    yield
    await stop_task(watch)


async def _presence_pushes(app: web.Application) -> AsyncIterator[None]:
    """Write the live pages' beats and push them what changed: when the database announces it, at
    the latest every RRIS_ONDEMAND_PUSH_MS."""
    await app[PRESENCE].source.start()
    pushes = asyncio.create_task(app[PRESENCE].run())
    yield
    await stop_task(pushes)
    await app[PRESENCE].source.stop()


async def _close_calls(app: web.Application) -> None:
    """Stopping: close every call and live on-demand socket with 1001 so clients reconnect to another node."""
    await app[PRESENCE].shutdown()
    await app[CALLS].shutdown()
    await app[ONDEMAND_CALLS].shutdown()


async def healthz(_request: web.Request) -> web.Response:
    """Liveness probe used by the launcher and load balancers."""
    return web.json_response({"status": "ok", "service": "signaling"})
