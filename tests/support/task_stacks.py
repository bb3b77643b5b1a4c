"""At a test's timeout, where every asyncio task was waiting, not only each thread.

pytest-timeout dumps the threads' stacks, but a test that runs an event loop shows only the loop's
`select()` there: every coroutine that hangs is suspended, and so is invisible. This plugin wraps
pytest-timeout's SIGALRM handler so that, before the test fails, each task of each open event loop
is printed with the whole chain of coroutines it awaits (a task's own `print_stack` shows only its
outermost coroutine) and what the innermost one waits on. Register it in a conftest by importing
`pytest_timeout_set_timer`. Only the "signal" method (pytest-timeout's default on Linux, in the
main thread) is wrapped; the "thread" method exits the process without calling back.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
import traceback
from collections.abc import Generator, Iterator
from types import FrameType
from typing import Any, TextIO

import pytest

TITLE = "asyncio tasks at the timeout"


@pytest.hookimpl(hookwrapper=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> Generator[None, None, None]:
    """After pytest-timeout arms its alarm, have the alarm print every task before it fails the test."""
    yield
    handler = signal.getsignal(signal.SIGALRM)
    if not callable(handler) or getattr(handler, "prints_tasks", False):
        return

    def print_tasks_then_fail(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        print_task_stacks(sys.stderr)
        handler(signum, frame)

    print_tasks_then_fail.prints_tasks = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, print_tasks_then_fail)


def print_task_stacks(out: TextIO) -> None:
    """Write every unfinished task of every open event loop, innermost await last."""
    loops = [obj for obj in gc.get_objects() if isinstance(obj, asyncio.AbstractEventLoop) and not obj.is_closed()]
    out.write(f"{'+' * 20} {TITLE} {'+' * 20}\n")
    for loop in loops:
        tasks = sorted(asyncio.all_tasks(loop), key=lambda task: task.get_name())
        out.write(f"loop {loop!r}: {len(tasks)} unfinished task(s)\n")
        for task in tasks:
            out.write(task_stack(task))
    out.write(f"{'+' * 20} end of {TITLE} {'+' * 20}\n")
    out.flush()


def task_stack(task: asyncio.Task[Any]) -> str:
    """One task: its name, the coroutines it awaits from the outermost in, and what the last waits on."""
    frames = list(_awaited_frames(task.get_coro()))
    lines = [f"~~~ task {task.get_name()} ({task.get_coro().__qualname__})\n"]  # type: ignore[union-attr]
    lines.extend(traceback.StackSummary.extract((frame, frame.f_lineno) for frame in frames).format())
    waiting = getattr(task, "_fut_waiter", None)  # the future its innermost await is suspended on
    lines.append(f"    waiting on: {waiting!r}\n")
    return "".join(lines)


def _awaited_frames(awaitable: object) -> Iterator[FrameType]:
    """The frames of a suspended coroutine and of each coroutine or generator it awaits in turn."""
    while awaitable is not None:
        frame = _frame_of(awaitable)
        if frame is not None:
            yield frame
        awaitable = _next_awaited(awaitable)


def _frame_of(awaitable: object) -> FrameType | None:
    for name in ("cr_frame", "gi_frame", "ag_frame"):
        frame = getattr(awaitable, name, None)
        if frame is not None:
            return frame  # type: ignore[no-any-return]
    return None


def _next_awaited(awaitable: object) -> object:
    for name in ("cr_await", "gi_yieldfrom", "ag_await"):
        inner = getattr(awaitable, name, None)
        if inner is not None:
            return inner
    return None
