"""A throwaway coturn on 127.0.0.1 for a test or `make cluster`, with REST (time-limited) credentials.

    with Coturn(tmp_path, secret="a shared secret of coturn") as turn:
        turn.url                 # "turn:127.0.0.1:PORT?transport=udp"
        turn.log_text()          # what coturn said, e.g. about refused credentials

Loopback peers are allowed (`--allow-loopback-peers`) because both peers relay to 127.0.0.1
here. That is for this loopback configuration only: production coturn must never set it, and
must deny private and link-local peers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from deploy.local.ports import free_port, poll_until
from deploy.local.process import LocalProcess

HOST = "127.0.0.1"
REALM = "rris.test"
READY_TIMEOUT_SECONDS = 10.0
_START_ATTEMPTS = 3  # the port is chosen before coturn binds it; another process may win the race
_STUN_BINDING_REQUEST = 0x0001
_STUN_BINDING_SUCCESS = 0x0101
_STUN_MAGIC_COOKIE = 0x2112A442


class CoturnUnavailable(RuntimeError):
    """turnserver is not installed, or it would not start; the message carries its log."""


class Coturn(LocalProcess):
    """`turnserver` as a plain process on a free loopback port; `stop()` ends it."""

    def __init__(self, workdir: Path, secret: str, realm: str = REALM) -> None:
        self.workdir = workdir
        self.secret = secret
        self.realm = realm
        self.port = 0
        self.log = workdir / "turnserver.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The TURN URL of this server over UDP, as settings.turn_urls holds it."""
        if not self.port:
            raise RuntimeError("Coturn is not started")
        return f"turn:{HOST}:{self.port}?transport=udp"

    @property
    def stun_url(self) -> str:
        """The same server as a STUN server (RRIS_STUN_URLS)."""
        if not self.port:
            raise RuntimeError("Coturn is not started")
        return f"stun:{HOST}:{self.port}"

    def start(self) -> Coturn:
        """Start turnserver and return once it answers a STUN binding request; returns self."""
        if self._process is not None:
            return self
        if shutil.which("turnserver") is None:
            raise CoturnUnavailable("turnserver is missing; run scripts/ensure_system_packages.sh as root")
        for _ in range(_START_ATTEMPTS):
            self.port = free_port()
            self._process = self._launch()
            ready = poll_until(lambda: self._exited() or answers_stun(HOST, self.port), READY_TIMEOUT_SECONDS, 0.05)
            if ready and not self._exited():
                return self
            self.stop()
        raise CoturnUnavailable(f"turnserver did not start:\n{self.log_text()}")

    def _launch(self) -> subprocess.Popen[bytes]:
        command = [
            "turnserver",
            "-n",  # no configuration file: everything is on this line
            f"--listening-ip={HOST}",
            f"--listening-port={self.port}",
            f"--relay-ip={HOST}",
            "--use-auth-secret",
            f"--static-auth-secret={self.secret}",
            f"--realm={self.realm}",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",  # test configuration only, see the module docstring
            f"--pidfile={self.workdir / 'turnserver.pid'}",
            f"--userdb={self.workdir / 'turndb'}",  # not the system's /var/lib/turn/turndb
            "--log-file=stdout",
            "--verbose",
        ]
        # Appending: a retry on another port keeps the earlier attempt's log for the error message.
        with self.log.open("ab") as output:
            return subprocess.Popen(command, cwd=self.workdir, stdout=output, stderr=subprocess.STDOUT, env=_env())

    def __enter__(self) -> Coturn:
        return self.start()


def answers_stun(host: str, port: int, timeout: float = 0.2) -> bool:
    """True when a STUN server on host:port (UDP) answers a binding request with success."""
    transaction = os.urandom(12)
    request = _STUN_BINDING_REQUEST.to_bytes(2, "big") + (0).to_bytes(2, "big")
    request += _STUN_MAGIC_COOKIE.to_bytes(4, "big") + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(request, (host, port))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                data, _address = sock.recvfrom(2048)
                if data[8:20] == transaction:
                    return int.from_bytes(data[:2], "big") == _STUN_BINDING_SUCCESS
        except OSError:  # nothing listening yet (ICMP port unreachable) or no answer in time
            return False
    return False


def _env() -> dict[str, str]:
    # coturn reads no RRIS_* settings; keep the caller's locale and PATH only.
    return {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "TZ")}
