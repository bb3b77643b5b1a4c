"""`make cluster`: RRIS's several-nodes topology on 127.0.0.1, for demos and tests.

PostgreSQL, Redis, coturn, two portal processes (gunicorn), two signalling nodes sharing their
rooms through Redis, two schedulers (one leads through PostgreSQL's advisory lock, the other waits
to take over) and nginx in front over TLS with a certificate made for 127.0.0.1. Every server is
private to one run: its data, logs and certificate live in the working folder. One Ctrl-C stops
all of it. A process that dies is reported and the rest keep running, as they would on separate
machines.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType

from deploy.local.coturn import Coturn
from deploy.local.nginx import LocalNginx
from deploy.local.ports import free_port, poll_until
from deploy.local.postgres import ThrowawayPostgres
from deploy.local.redis import LocalRedis
from deploy.local.tls import Certificate, make_loopback_certificate
from deploy.nginx_site import Site

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
DEFAULT_HTTPS_PORT = 8443
PORTALS = 2
SIGNALING_NODES = 2
SCHEDULERS = 2
WORKERS_PER_PORTAL = 2
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 35.0  # gunicorn's graceful_timeout (30 s) and a little
POLL_SECONDS = 0.2
# Probes go to our own loopback servers, never through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def say(message: str) -> None:
    """A line from the cluster launcher, flushed so it interleaves with what the children print."""
    print(f"[cluster] {message}", flush=True)


@dataclass
class Process:
    """One RRIS process of the cluster, leading its own process group, its output in a log file."""

    name: str
    command: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    reported: bool = False

    @property
    def pid(self) -> int:
        """The process id (of gunicorn's master, for a portal)."""
        assert self.popen is not None
        return self.popen.pid

    def start(self, env: dict[str, str]) -> None:
        """Start it in a new session: the terminal's Ctrl-C reaches the launcher, which stops it in order."""
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.popen is not None and self.popen.poll() is None

    def log_text(self) -> str:
        """What it has logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM its group, SIGKILL after `timeout`; anything it started goes with it."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        _signal_group(self.popen.pid, signal.SIGKILL)


@dataclass
class Cluster:
    """The whole topology; `start()` brings it up in order, `stop()` takes it down in reverse."""

    workdir: Path
    https_port: int = DEFAULT_HTTPS_PORT
    demo: bool = True
    smtp_port: int | None = None  # a mail server on 127.0.0.1; without one, mail goes to the instance's folder
    processes: dict[str, Process] = field(default_factory=dict)
    certificate: Certificate | None = None
    env: dict[str, str] = field(default_factory=dict)
    signaling_ports: list[int] = field(default_factory=list)  # each node's own port, behind nginx
    _postgres: ThrowawayPostgres | None = None
    _redis: LocalRedis | None = None
    _coturn: Coturn | None = None
    _nginx: LocalNginx | None = None

    @property
    def url(self) -> str:
        """The address people use: nginx over TLS."""
        return f"https://{HOST}:{self.https_port}"

    @property
    def database_url(self) -> str:
        """The cluster's PostgreSQL database."""
        assert self._postgres is not None
        return self._postgres.url

    @property
    def redis(self) -> LocalRedis:
        """The cluster's Redis."""
        assert self._redis is not None
        return self._redis

    @property
    def nginx(self) -> LocalNginx:
        """The proxy in front."""
        assert self._nginx is not None
        return self._nginx

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the cluster's certificate, and only it."""
        assert self.certificate is not None
        return ssl.create_default_context(cafile=str(self.certificate.certificate))

    def start(self) -> Cluster:
        """Bring every server up and wait until nginx answers for the portal; returns self."""
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.certificate = make_loopback_certificate(self.workdir / "tls")
        self._postgres = ThrowawayPostgres(database="rris").start()
        self._redis = LocalRedis(self.workdir / "redis").start()
        turn_secret = secrets.token_urlsafe(32)
        (self.workdir / "coturn").mkdir(exist_ok=True)
        self._coturn = Coturn(self.workdir / "coturn", secret=turn_secret, realm="rris.local").start()
        portal_ports = [free_port() for _ in range(PORTALS)]
        self.signaling_ports = [free_port() for _ in range(SIGNALING_NODES)]
        self.env = self._environment(turn_secret)
        self._run_step("migrate", ["-m", "flask", "--app", "wsgi", "db", "upgrade"])
        if self.demo:
            self._run_step("demo", ["-m", "flask", "--app", "wsgi", "demo", "load", "--if-empty"])
        python = sys.executable
        for number, port in enumerate(portal_ports, start=1):
            gunicorn = [python, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "wsgi:app"]
            self._add(f"portal-{number}", gunicorn, RRIS_PORT=str(port), WEB_CONCURRENCY=str(WORKERS_PER_PORTAL))
        for number, port in enumerate(self.signaling_ports, start=1):
            node = f"signaling-{number}"
            self._add(node, [python, "-m", "signaling"], RRIS_SIGNALING_PORT=str(port), RRIS_SIGNALING_NODE_ID=node)
        for number in range(1, SCHEDULERS + 1):
            self._add(f"scheduler-{number}", [python, "-m", "scheduler"])
            if number == 1:  # the first one leads: the takeover is then always the second's
                self._wait(lambda: "scheduler: leading" in self.processes["scheduler-1"].log_text(), "scheduler-1")
        for port in portal_ports:
            self._wait(partial(_answers, f"http://{HOST}:{port}/healthz"), f"portal on {port}")
        for number, port in enumerate(self.signaling_ports, start=1):
            self._wait(partial(_answers, f"http://{HOST}:{port}/healthz"), f"signaling-{number}")
        site = Site(
            server_name=HOST,
            listen=f"{HOST}:{self.https_port}",
            certificate=self.certificate.certificate,
            certificate_key=self.certificate.key,
            static_root=ROOT / "static",
            portal=tuple(f"{HOST}:{port}" for port in portal_ports),
            signaling=tuple(f"{HOST}:{port}" for port in self.signaling_ports),
            snippets=self.workdir / "nginx" / "snippets",
            redirect_http=False,
        )
        self._nginx = LocalNginx(self.workdir / "nginx", site).start()
        self._wait(partial(_answers, f"{self.url}/healthz", self.ssl_context()), "nginx to the portal")

    def _environment(self, turn_secret: str) -> dict[str, str]:
        """What every RRIS process of this cluster reads: a production configuration on loopback."""
        assert self._coturn is not None and self._redis is not None
        env = {key: value for key, value in os.environ.items() if not key.startswith("RRIS_")}
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "RRIS_ENV": "production",
                "RRIS_INSTANCE_PATH": str(self.workdir / "instance"),
                "RRIS_DATABASE_URL": self.database_url,
                "RRIS_SECRET_KEY": secrets.token_urlsafe(48),
                "RRIS_SECOND_FACTOR_KEY": secrets.token_urlsafe(48),
                "RRIS_APPLICANT_KEY_SECRET": secrets.token_urlsafe(48),
                "RRIS_HOST": HOST,
                "RRIS_PUBLIC_URL": self.url,
                "RRIS_SIGNALING_PUBLIC_URL": f"wss://{HOST}:{self.https_port}",
                "RRIS_STUN_URLS": self._coturn.stun_url,
                "RRIS_TURN_URLS": self._coturn.url,
                "RRIS_TURN_SECRET": turn_secret,
                "RRIS_RATE_LIMIT_STORAGE": self._redis.url,
                "RRIS_SIGNALING_REDIS_URL": self._redis.url,  # its keys are rris:sig:*, apart from the limits'
                "RRIS_TRUSTED_PROXIES": "1",
                "RRIS_LOG_LEVEL": "INFO",
            }
        )
        if self.smtp_port is not None:
            env.update({"RRIS_SMTP_HOST": HOST, "RRIS_SMTP_PORT": str(self.smtp_port)})
        return env

    def _run_step(self, name: str, args: list[str]) -> None:
        log = self.workdir / "logs" / f"{name}.log"
        with log.open("ab") as output:
            result = subprocess.run(
                [sys.executable, *args], cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed with exit code {result.returncode}:\n{log.read_text(errors='replace')}")

    def _add(self, name: str, command: list[str], **env: str) -> Process:
        process = Process(name, command, self.workdir / "logs" / f"{name}.log")
        process.start({**self.env, **env})
        self.processes[name] = process
        return process

    def _wait(self, ready: Callable[[], bool], what: str) -> None:
        def dead() -> list[str]:
            return [p.name for p in self.processes.values() if not p.alive()]

        if not poll_until(lambda: ready() or bool(dead()), READY_TIMEOUT_SECONDS, POLL_SECONDS) or dead():
            logs = "\n".join(f"--- {p.name}\n{p.log_text()[-3000:]}" for p in self.processes.values())
            raise RuntimeError(f"{what} not ready (dead: {dead()}); logs:\n{logs}")

    def dead(self) -> list[Process]:
        """Processes that have exited and were not reported yet (each is reported once)."""
        found = [p for p in self.processes.values() if not p.alive() and not p.reported]
        for process in found:
            process.reported = True
        return found

    def stop(self) -> None:
        """Stop everything in the reverse order of starting; safe to call twice."""
        if self._nginx is not None:
            self._nginx.stop()
        for process in reversed(list(self.processes.values())):
            process.stop()
        self.processes.clear()
        for server in (self._coturn, self._redis, self._postgres):
            if server is not None:
                server.stop()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _answers(url: str, context: ssl.SSLContext | None = None) -> bool:
    """Whether GET `url` answers 200."""
    return _status(url, context) == 200


def _status(url: str, context: ssl.SSLContext | None = None) -> int | None:
    """The status of GET `url`, or None when nothing answers."""
    opener = _OPENER if context is None else urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(url, timeout=3) as response:  # noqa: S310 (our own http(s) URLs)
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


class _Stop:
    """Set by SIGINT/SIGTERM; the launcher polls it instead of being interrupted mid-step."""

    def __init__(self) -> None:
        self.signal_name = ""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.signal_name = self.signal_name or signal.Signals(signum).name
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Start the cluster, print where it is and the demo logins, run until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_HTTPS_PORT, help="the HTTPS port on 127.0.0.1")
    parser.add_argument("--workdir", type=Path, help="where data and logs go (default: a new temporary folder)")
    parser.add_argument("--no-demo", action="store_true", help="start with an empty database")
    parser.add_argument(
        "--smtp-port", type=int, help="send mail to the SMTP server on this port of 127.0.0.1 (default: .eml files)"
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rris-cluster-"))
    cluster = Cluster(workdir.resolve(), args.port, demo=not args.no_demo, smtp_port=args.smtp_port)
    stop = _Stop()
    try:
        say(f"starting in {cluster.workdir} (logs in {cluster.workdir / 'logs'})")
        cluster.start()
        assert cluster.certificate is not None
        say(f"RRIS: {cluster.url}  (certificate: {cluster.certificate.certificate}; trust it or accept the warning)")
        for name, process in cluster.processes.items():
            say(f"{name}: pid {process.pid}")
        say("schedulers: scheduler-1 leads; kill it and scheduler-2 takes over within seconds")
        say("signalling: both nodes share the calls through Redis; stop one and its pages resume on the other")
        if cluster.demo:
            logins = [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "logins"]
            subprocess.run(logins, cwd=ROOT, env=cluster.env, check=False)
        say("Press Ctrl-C to stop.")
        while True:
            for process in cluster.dead():
                code = process.popen.returncode if process.popen else "?"
                say(f"{process.name} exited with code {code}; the rest go on")
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        say(f"{stop.signal_name or 'SIGINT'} received, stopping")
        return 0
    except RuntimeError as error:
        say(str(error))
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # one Ctrl-C is enough; the stop must finish
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
