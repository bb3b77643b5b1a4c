"""Stopping the service's background tasks, however the code they run treats a cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

# How long a cancelled task has to end before it is cancelled again.
CANCEL_AGAIN_SECONDS = 0.5


async def stop_task(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and return once it has ended (raising what it failed with, if not cancelled).

    A library may take a cancellation for its own and carry on (redis-py in the middle of a command
    can), and a loop that carries on runs forever: seen once, when a node's heartbeat outlived its
    node's stop and held the service's shutdown until the test's timeout. So the task is cancelled
    again until it ends. Waiting never swallows the caller's own cancellation.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_AGAIN_SECONDS)
    if not task.cancelled():
        task.result()
