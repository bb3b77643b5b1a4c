"""A throwaway network namespace: a private test host for browsers and servers.

    with Netns() as host:              # or the `netns` fixture
        host.address                   # 10.x.y.1, a non-loopback address that exists only inside
        server = host.popen([sys.executable, "-m", "http.server", "8000"], cwd=root)
        host.http_status("http://127.0.0.1:8000/")   # the test process probes from inside

Chromium and aioice ignore loopback interfaces, so the namespace also has a veth pair with both
ends inside it (`address` on one end, `peer_address` on the other): WebRTC gets real host
candidates while every packet stays in the namespace, never on the machine's own interfaces.
Creating namespaces needs root and `ip` (iproute2); the fixture skips without them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pytest

from tests.support.ports import http_status

T = TypeVar("T")

_CLONE_NEWNET = 0x40000000
_STOP_TIMEOUT_SECONDS = 5.0
_VETH = ("veth0", "veth1")


class NetnsUnavailable(RuntimeError):
    """This machine cannot make network namespaces for us (not root, or no `ip`)."""


def unavailable_reason() -> str | None:
    """Why namespaces cannot be created here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs as root)"
    if shutil.which("ip") is None:
        return "`ip` (iproute2) is missing; run scripts/ensure_system_packages.sh as root"
    return None


class Netns:
    """A uniquely named namespace with `lo` up and a veth pair inside; `stop()` removes every trace."""

    def __init__(self) -> None:
        self.name = f"rris-{secrets.token_hex(4)}"
        # A random /24 per namespace; it is routed only inside this namespace.
        second, third = secrets.randbelow(256), secrets.randbelow(256)
        self.address = f"10.{second}.{third}.1"
        self.peer_address = f"10.{second}.{third}.2"
        self._created = False
        self._processes: list[subprocess.Popen[Any]] = []

    def start(self) -> Netns:
        """Create the namespace and its interfaces; returns self."""
        reason = unavailable_reason()
        if reason:
            raise NetnsUnavailable(reason)
        _ip("netns", "add", self.name)
        self._created = True
        try:
            here, there = _VETH
            self.ip("link", "set", "lo", "up")
            self.ip("link", "add", here, "type", "veth", "peer", "name", there)
            self.ip("addr", "add", f"{self.address}/24", "dev", here)
            self.ip("addr", "add", f"{self.peer_address}/24", "dev", there)
            self.ip("link", "set", here, "up")
            self.ip("link", "set", there, "up")
        except BaseException:
            self.stop()
            raise
        return self

    def ip(self, *args: str) -> None:
        """Run `ip -n <name> ARGS...`; raises with ip's message when it fails."""
        _ip("-n", self.name, *args)

    def command(self, argv: Sequence[str | os.PathLike[str]]) -> list[str]:
        """`argv` prefixed so that it runs inside the namespace."""
        return ["ip", "netns", "exec", self.name, *map(str, argv)]

    def popen(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start `argv` inside the namespace (Popen keywords pass through); stopped by `stop()`.

        The process leads its own process group, so `stop()` also ends whatever it started."""
        process = subprocess.Popen(self.command(argv), start_new_session=True, **kwargs)
        self._processes.append(process)
        return process

    def run(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """Run `argv` inside the namespace to completion (subprocess.run keywords pass through)."""
        return subprocess.run(self.command(argv), **kwargs)

    def inside(self, function: Callable[[], T]) -> T:
        """Call `function` in a thread that has entered the namespace, and return its result.

        Sockets it opens live in the namespace, so `127.0.0.1` there is the namespace's loopback.
        Only that short-lived thread switches; the test process stays where it is."""
        outcome: dict[str, Any] = {}

        def enter_and_call() -> None:
            try:
                _enter(self.name)
                outcome["value"] = function()
            except BaseException as error:  # handed to the caller's thread below
                outcome["error"] = error

        thread = threading.Thread(target=enter_and_call, name=f"in-{self.name}")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def http_status(self, url: str) -> int | None:
        """The status of GET `url` as seen from inside the namespace, or None when nothing answers."""
        return self.inside(lambda: http_status(url))

    def stop(self) -> None:
        """Stop every process started here (SIGTERM, then SIGKILL) and delete the namespace; safe twice."""
        for process in self._processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT_SECONDS
        for process in self._processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            _signal_group(process, signal.SIGKILL)
            process.wait()
        self._processes.clear()
        if not self._created:
            return
        # Anything else still running in the namespace (a browser's helpers, say) goes too.
        for pid in self._pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _ip("netns", "del", self.name, check=False)
        self._created = False

    def _pids(self) -> list[int]:
        result = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True, check=False)
        return [int(pid) for pid in result.stdout.split() if pid.isdigit()]

    def __enter__(self) -> Netns:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture
def netns() -> Iterator[Netns]:
    """A fresh namespace for one test, deleted afterwards; skips when this machine cannot make one."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with Netns() as host:
        yield host


def _ip(*args: str, check: bool = True) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")


def _enter(name: str) -> None:
    """Move the calling thread (only it) into the named namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(Path("/run/netns") / name, os.O_RDONLY)
    try:
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"setns into {name}: {os.strerror(errno)}")
    finally:
        os.close(fd)


def _signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    if process.poll() is not None and signum == signal.SIGTERM:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)
