"""A signalling test that hangs says where: its timeout prints every asyncio task's awaits.

A test of this directory once hung until pytest's timeout, and the threads' stacks showed only the
event loop's `select()`. The run below is a pytest of its own, with this directory's conftest as
its plugin, over a test that hangs two coroutines deep in a task of its own; this directory's
conftest registers the plugin for the tests here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import task_stacks

REPOSITORY = Path(__file__).resolve().parents[2]

HANGING = '''
import asyncio

import pytest


async def waits_for_a_notice_that_never_comes(event):
    await event.wait()


async def reads_the_roster(event):
    await waits_for_a_notice_that_never_comes(event)


@pytest.mark.timeout(2)
def test_hangs():
    async def main():
        event = asyncio.Event()
        task = asyncio.create_task(reads_the_roster(event), name="roster-reader")
        await task

    asyncio.run(main())
'''


def test_the_signalling_tests_run_with_the_plugin(request):
    hooks = request.config.hook.pytest_timeout_set_timer.get_hookimpls()
    assert task_stacks.pytest_timeout_set_timer in [hook.function for hook in hooks]


def test_a_timeout_prints_where_each_asyncio_task_waits(tmp_path):
    (tmp_path / "test_hanging.py").write_text(HANGING)
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.support.task_stacks", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Timeout (>2.0s)" in output, output
    tasks = output.split("asyncio tasks at the timeout", 1)[1]
    roster = tasks.split("~~~ task roster-reader (reads_the_roster)", 1)[1]
    # The whole chain of awaits, outermost first, down to the event it waits on.
    assert roster.index("in reads_the_roster") < roster.index("in waits_for_a_notice_that_never_comes")
    assert "await event.wait()" in roster
    assert "waiting on: <Future pending" in roster
    assert "(test_hangs.<locals>.main)" in tasks  # the test's own main task too
