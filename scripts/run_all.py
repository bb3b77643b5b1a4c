"""Run RRIS for development (`make run`): migrate, load demo data, then portal + scheduler + signaling.

One Ctrl-C (or SIGTERM) stops all three and exits 0; if one of them dies, the others are
stopped and the exit code is 1. Run it with the virtualenv's Python: the children use the same one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file, so the repository root is not on the path yet

from rris.settings import Settings, SettingsError  # noqa: E402

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.2
# The HTTP probes must reach our own loopback servers, never an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# A server listening on every interface is probed through loopback.
_WILDCARD_TO_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def say(message: str) -> None:
    """Print a launcher message, flushed so it interleaves correctly with the children's output."""
    print(f"[run_all] {message}", flush=True)


@dataclass
class Child:
    """One long-running service and its process (the leader of its own process group)."""

    name: str
    process: subprocess.Popen[bytes]


class StopFlag:
    """Set by SIGINT/SIGTERM; the launcher polls it instead of being interrupted mid-step."""

    def __init__(self) -> None:
        self.signal_name = ""

    def __bool__(self) -> bool:
        return bool(self.signal_name)

    def install(self) -> None:
        """Route SIGINT and SIGTERM to this flag."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if not self.signal_name:
            self.signal_name = signal.Signals(signum).name


class Launcher:
    """Starts, watches and stops the three services."""

    def __init__(self, settings: Settings, python: str) -> None:
        self.settings = settings
        self.python = python
        self.stop = StopFlag()
        self.children: list[Child] = []
        probe_host = _WILDCARD_TO_LOOPBACK.get(settings.host, settings.host)
        self.probe_host = f"[{probe_host}]" if ":" in probe_host else probe_host
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    def url(self, port: int, path: str = "/") -> str:
        """A URL on one of our own servers."""
        return f"http://{self.probe_host}:{port}{path}"

    def run(self) -> int:
        """The whole life cycle; returns the exit code."""
        self.stop.install()
        try:
            return self._run()
        finally:
            self.stop_children()

    def _run(self) -> int:
        for port in (self.settings.port, self.settings.signaling_port):
            if port_in_use(self.settings.host, port):
                say(f"port {port} on {self.settings.host} is already in use (is RRIS already running?)")
                return 1
        for step in (["db", "upgrade"], ["demo", "load", "--if-empty"]):
            code = self.run_step(self.flask(*step))
            if self.stop:
                return 0
            if code != 0:
                say(f"`flask {' '.join(step)}` failed with exit code {code}")
                return 1
        self.start_children()
        ready = self.wait_until_ready()
        if self.stop:
            return 0
        if not ready:
            return 1
        say(f"portal:    {self.url(self.settings.port)}")
        say(f"signaling: {self.url(self.settings.signaling_port, '/healthz')}")
        say("demo logins:")
        if self.run_step(self.flask("demo", "logins")) not in (0, None):
            say("could not list the demo logins (see above)")
        say("Press Ctrl-C to stop.")
        return self.watch()

    def flask(self, *args: str) -> list[str]:
        """A `flask --app wsgi ...` command line using our Python."""
        return [self.python, "-m", "flask", "--app", "wsgi", *args]

    def run_step(self, command: list[str]) -> int | None:
        """Run a short command to completion; None when a stop signal cut it short."""
        process = subprocess.Popen(command, cwd=ROOT, env=self.env)
        while process.poll() is None:
            if self.stop:
                process.terminate()
                process.wait()
                return None
            time.sleep(POLL_SECONDS)
        return process.returncode

    def start_children(self) -> None:
        """Start portal, scheduler and signaling, each leading its own process group."""
        host, port = self.settings.host, str(self.settings.port)
        commands = {
            "portal": self.flask(
                "run", "--host", host, "--port", port, "--no-reload", "--no-debugger", "--with-threads"
            ),
            "scheduler": [self.python, "-m", "scheduler"],
            "signaling": [self.python, "-m", "signaling"],
        }
        for name, command in commands.items():
            # A new session keeps the terminal's Ctrl-C away from the children: we stop them in order.
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
            self.children.append(Child(name, process))

    def wait_until_ready(self) -> bool:
        """Poll both /healthz endpoints until they answer 200; False if a child dies or time runs out."""
        pending = {
            self.url(self.settings.port, "/healthz"),
            self.url(self.settings.signaling_port, "/healthz"),
        }
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self.stop:
            if self.report_dead_child("before it was ready"):
                return False
            pending = {url for url in pending if not answers_ok(url)}
            if not pending:
                return True
            if time.monotonic() > deadline:
                say(f"not ready after {READY_TIMEOUT_SECONDS:.0f} s: {', '.join(sorted(pending))}")
                return False
            time.sleep(POLL_SECONDS)
        return False

    def watch(self) -> int:
        """Wait for a stop signal (exit 0) or for a child to die (exit 1)."""
        while not self.stop:
            if self.report_dead_child("unexpectedly"):
                return 1
            time.sleep(POLL_SECONDS)
        say(f"{self.stop.signal_name} received, stopping")
        return 0

    def report_dead_child(self, when: str) -> bool:
        """Say which child has exited, if any."""
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                say(f"{child.name} exited {when} with code {code} (its output is above); stopping the others")
                return True
        return False

    def stop_children(self) -> None:
        """SIGTERM every process group, wait up to STOP_TIMEOUT_SECONDS, then SIGKILL what is left."""
        for child in self.children:
            if child.process.poll() is None:
                signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{child.name} did not stop within {STOP_TIMEOUT_SECONDS:.0f} s; killing it")
                signal_group(child.process.pid, signal.SIGKILL)
                child.process.wait()
            # Anything the child started in its group must not outlive it.
            signal_group(child.process.pid, signal.SIGKILL)
        self.children.clear()


def signal_group(pgid: int, signum: int) -> None:
    """Send `signum` to a process group that may already be gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def answers_ok(url: str) -> bool:
    """True when GET `url` answers 200."""
    try:
        with _OPENER.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on host:port (a leftover server would fake readiness)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return False
    with socket.socket(family, kind, proto) as sock:
        # Like the servers themselves: a port in TIME_WAIT from the last run is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError:
            return True
    return False


def main() -> int:
    """Entry point; returns the exit code."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        say(str(error))
        return 2
    return Launcher(settings, sys.executable).run()


if __name__ == "__main__":
    sys.exit(main())
