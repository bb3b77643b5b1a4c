"""A private redis-server on 127.0.0.1 and a free port, for a test or `make cluster`.

    with LocalRedis(tmp_path) as server:
        server.url            # "redis://127.0.0.1:PORT/0"

Nothing is saved to disk (no RDB, no AOF): what it holds lives as long as the process.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
from pathlib import Path
from types import TracebackType

from deploy.local.ports import free_port, poll_until

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 5.0
_START_ATTEMPTS = 3  # the port is chosen before redis-server binds it; another process may win the race


class RedisUnavailable(RuntimeError):
    """redis-server is not installed, or it would not start; the message carries its log."""


class LocalRedis:
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

    def log_text(self) -> str:
        """Everything redis-server logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_SECONDS; safe to call twice."""
        process, self._process = self._process, None
        self.port = 0
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

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

    def _exited(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def answers_ping(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when a Redis server on host:port answers PING with PONG (plain RESP, no client library)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
