"""`python -m tests.support.story_services portal|signaling`: our two servers on a test's clock.

The same applications `wsgi.py` (under `flask run --with-threads`) and `python -m signaling`
serve, built through their factories' `clock` parameter with a `FileClock` whose file is named
by RRIS_TEST_CLOCK_FILE, so the test moves the time of both processes (a booking made
"yesterday", a reminder at 08:50). Test-only: production processes always run on the real clock.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from aiohttp import web
from werkzeug.serving import run_simple

from rris.app import create_app
from rris.portal import create_portal
from rris.settings import Settings
from signaling.__main__ import SHUTDOWN_TIMEOUT_SECONDS
from signaling.app import create_signaling_app
from tests.support.story_clock import CLOCK_FILE_VARIABLE, FileClock


def serve_portal(settings: Settings, clock: FileClock) -> None:
    """The portal as `flask run --with-threads --no-reload --no-debugger` serves it."""
    app = create_portal(settings, clock)
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False, use_debugger=False)


async def serve_signaling(settings: Settings, clock: FileClock) -> None:
    """The signalling service as `python -m signaling` serves it, until SIGINT or SIGTERM."""
    core = create_app(settings, clock)
    runner = web.AppRunner(
        create_signaling_app(settings, clock=clock, core=core), shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS
    )
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, settings.host, settings.signaling_port).start()
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str]) -> int:
    """Serve the portal or the signalling service named by `argv[0]`; returns the exit code."""
    if len(argv) != 1 or argv[0] not in ("portal", "signaling"):
        print("usage: python -m tests.support.story_services portal|signaling", file=sys.stderr)
        return 2
    clock = FileClock(Path(os.environ[CLOCK_FILE_VARIABLE]))
    settings = Settings.from_env()
    if argv[0] == "portal":
        serve_portal(settings, clock)
    else:
        asyncio.run(serve_signaling(settings, clock))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
