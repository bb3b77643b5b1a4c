"""A private redis-server on 127.0.0.1 and a free port, for a test or `make cluster`.

    with LocalRedis(tmp_path) as server:
        server.url            # "redis://127.0.0.1:PORT/0"

Nothing is saved to disk (no RDB, no AOF): what it holds lives as long as the process.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from deploy.local.ports import free_port, poll_until
from deploy.local.process import LocalProcess

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 10.0
_START_ATTEMPTS = 3  # the port is chosen before redis-server binds it; another process may win the race


class RedisUnavailable(RuntimeError):
    """redis-server is not installed, or it would not start; the message carries its log."""


class LocalRedis(LocalProcess):
    """`redis-server` as a plain process on a free loopback port; `stop()` ends it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.log = workdir / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The redis:// URL of database 0, as RRIS_RATE_LIMIT_STORAGE takes it."""
        if not self.port:
            raise RuntimeError("LocalRedis is not started")
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self._process is None:
            raise RuntimeError("LocalRedis is not started")
        return self._process.pid

    def start(self, port: int = 0) -> LocalRedis:
        """Start redis-server (on `port`, else a free one) and return once it answers PING; returns self."""
        if self._process is not None:
            return self
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("redis-server is missing; run scripts/ensure_system_packages.sh as root")
        self.workdir.mkdir(parents=True, exist_ok=True)
        for _ in range(_START_ATTEMPTS):
            self.port = port or free_port()
            self._process = self._launch(binary)
            ready = poll_until(lambda: self._exited() or answers_ping(HOST, self.port), READY_TIMEOUT_SECONDS)
            if ready and not self._exited():
                return self
            self.stop()
        raise RedisUnavailable(f"redis-server did not start:\n{self.log_text()}")

    def _launch(self, binary: str) -> subprocess.Popen[bytes]:
        command = [
            binary,
            "--bind", HOST,
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--protected-mode", "yes",
            "--logfile", "",  # to stdout, which goes to the log file
        ]  # fmt: skip
        with self.log.open("ab") as output:
            return subprocess.Popen(command, cwd=self.workdir, stdout=output, stderr=subprocess.STDOUT)

    def __enter__(self) -> LocalRedis:
        return self.start()


def answers_ping(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when a Redis server on host:port answers PING with PONG (plain RESP, no client library)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
