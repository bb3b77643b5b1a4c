"""Our own servers (portal, signaling) as real processes inside a test namespace.

    signaling = start_signaling(netns, tmp_path)       # ws://127.0.0.1:8765 inside netns
    portal = start_portal(netns, tmp_path, demo=True)  # http://127.0.0.1:5000 inside netns
    portal.url("/login")

Both share one settings environment (`service_env`), so a ticket the portal signs is one the
signaling service accepts. The namespace is fresh, so the default ports are always free in it.
`netns.stop()` (the fixture's teardown) stops the processes. To see how clients live through a
crash of the signalling service: `signaling.kill()`, then `start_signaling` again with the same
environment (the same port) and another `name`, so that the first log is kept.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.netns import Netns
from tests.support.ports import poll_until

ROOT = Path(__file__).resolve().parents[2]
PORTAL_PORT = 5000
SIGNALING_PORT = 8765
READY_TIMEOUT_SECONDS = 30.0
SECRET_KEY = "browser-test-secret-key-long-enough-for-rris"


class ServiceFailed(RuntimeError):
    """A service exited or did not answer its health probe in time; the message carries its log."""


@dataclass
class Service:
    """One of our servers running inside a namespace."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str  # as seen from inside the namespace
    log: Path

    def url(self, path: str = "/") -> str:
        """A URL on this service, for pages and probes inside the namespace."""
        return self.base_url + path

    def log_text(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """End the process at once with SIGKILL (a crash: no shutdown, no goodbye to clients); waits for it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def service_env(workdir: Path, **overrides: str) -> dict[str, str]:
    """The environment of our processes: nothing RRIS_* from the caller's shell, a SQLite database
    and instance folder under `workdir`, one secret key, our default ports; `overrides` win."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RRIS_")}
    env.update(
        PYTHONUNBUFFERED="1",
        RRIS_ENV="development",
        RRIS_INSTANCE_PATH=str(workdir / "instance"),
        RRIS_DATABASE_URL=f"sqlite:///{workdir / 'rris.sqlite3'}",
        RRIS_SECRET_KEY=SECRET_KEY,
        RRIS_HOST="127.0.0.1",
        RRIS_PORT=str(PORTAL_PORT),
        RRIS_SIGNALING_PORT=str(SIGNALING_PORT),
        RRIS_LOG_LEVEL="INFO",
    )
    env.update(overrides)
    return env


def start_signaling(
    netns: Netns,
    workdir: Path,
    env: dict[str, str] | None = None,
    *,
    name: str = "signaling",
    command: list[str] | None = None,
) -> Service:
    """`python -m signaling` (or `command`, serving the same app) inside `netns`, returned once
    /healthz answers 200 there; `name` names its log (`<workdir>/<name>.log`): give a second
    instance its own."""
    env = env or service_env(workdir)
    base_url = f"http://127.0.0.1:{env['RRIS_SIGNALING_PORT']}"
    return _start(netns, name, command or [sys.executable, "-m", "signaling"], workdir, env, base_url)


def start_portal(
    netns: Netns,
    workdir: Path,
    env: dict[str, str] | None = None,
    demo: bool = False,
    *,
    command: list[str] | None = None,
) -> Service:
    """The portal (`flask run`, as scripts/run_all.py starts it, or `command` serving the same
    app on RRIS_HOST:RRIS_PORT) inside `netns` on a migrated database, with the demo data when
    `demo`; returned once /healthz answers 200 there."""
    env = env or service_env(workdir)
    steps = [["db", "upgrade"], *([["demo", "load", "--if-empty"]] if demo else [])]
    for step in steps:
        result = netns.run(_flask(*step), cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServiceFailed(f"flask {' '.join(step)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    port = env["RRIS_PORT"]
    command = command or _flask(
        "run", "--host", "127.0.0.1", "--port", port, "--no-reload", "--no-debugger", "--with-threads"
    )
    return _start(netns, "portal", command, workdir, env, f"http://127.0.0.1:{port}")


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _start(netns: Netns, name: str, command: list[str], workdir: Path, env: dict[str, str], base_url: str) -> Service:
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        process = netns.popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    service = Service(name, process, base_url, log)
    ready = poll_until(
        lambda: process.poll() is not None or netns.http_status(service.url("/healthz")) == 200,
        timeout=READY_TIMEOUT_SECONDS,
        interval=0.1,
    )
    if process.poll() is not None or not ready:
        state = f"exited with {process.returncode}" if process.poll() is not None else "is not healthy"
        raise ServiceFailed(f"{name} {state} after start:\n{service.log_text()}")
    return service
