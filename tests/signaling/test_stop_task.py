"""Stopping a background task ends it even when the code it runs takes a cancellation for its own."""

from __future__ import annotations

import asyncio

import pytest

from signaling.tasks import stop_task


async def _loop_that_swallows_one_cancellation(rounds: list[str]) -> None:
    """A heartbeat whose library call, cancelled once, carries on (as a node's heartbeat did)."""
    swallowed = False
    while True:
        try:
            await asyncio.sleep(0.01)
            rounds.append("beat")
        except asyncio.CancelledError:
            if swallowed:
                raise
            swallowed = True  # the library's doing: the loop carries on


def test_a_task_that_swallows_its_cancellation_is_still_stopped() -> None:
    async def main() -> None:
        rounds: list[str] = []
        task = asyncio.create_task(_loop_that_swallows_one_cancellation(rounds))
        await asyncio.sleep(0.05)
        async with asyncio.timeout(5):
            await stop_task(task)
        assert task.cancelled()

    asyncio.run(main())


def test_stopping_a_task_raises_what_it_failed_with() -> None:
    async def failing() -> None:
        raise LookupError("the room is gone")

    async def main() -> None:
        task = asyncio.create_task(failing())
        await asyncio.sleep(0)
        with pytest.raises(LookupError, match="the room is gone"):
            await stop_task(task)

    asyncio.run(main())


def test_the_stopper_s_own_cancellation_is_not_swallowed() -> None:
    async def main() -> None:
        endless = asyncio.create_task(_loop_that_swallows_one_cancellation([]))
        stopper = asyncio.create_task(stop_task(endless))
        await asyncio.sleep(0.05)
        stopper.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stopper
        endless.cancel()
        with pytest.raises(asyncio.CancelledError):
            await endless

    asyncio.run(main())
