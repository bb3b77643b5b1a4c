"""A private, throwaway PostgreSQL cluster on 127.0.0.1 for one test session.

    with ThrowawayPostgres() as pg:
        pg.url                       # postgresql+psycopg://rris@127.0.0.1:PORT/rris_test
        pg.create_database("other")  # a fresh, empty database; returns its URL

Tuned for speed, not durability (fsync off). Runs as the `postgres` user when started as
root, because the server refuses to run as root (CI runs as root).

The server is stopped at exit, and also when SIGTERM would end the process unhandled (a test run
stopped by CI or by `kill`): neither `finally` nor `atexit` runs then, and the server would live on.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from types import FrameType, TracebackType

import psycopg
from psycopg import sql

from deploy.local.ports import free_port

USER = "rris"
DEFAULT_DATABASE = "rris_test"
_SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
_START_ATTEMPTS = 3  # the port is chosen before the server binds it; another process may win the race
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed or the cluster would not start."""


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl of the newest installed PostgreSQL server."""
    versions = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if versions:
        newest = max(versions, key=lambda path: int(Path(path).parent.parent.name.split(".")[0]))
        return Path(newest).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
        bindir = Path(result.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    raise PostgresUnavailable("PostgreSQL server not found; run scripts/ensure_system_packages.sh (as root)")


class ThrowawayPostgres:
    """Start a cluster in a temporary directory on a free port; `stop()` removes every trace."""

    def __init__(self, database: str = DEFAULT_DATABASE) -> None:
        self.database = _check_name(database)
        self.port = 0
        self._bindir = find_bindir()
        self._dir: Path | None = None
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the session's database."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL of `database` on this cluster."""
        if not self.port:
            raise RuntimeError("ThrowawayPostgres is not started")
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> ThrowawayPostgres:
        """initdb, start the server and create the session database; returns self."""
        if self._dir is not None:
            return self
        self._dir = Path(tempfile.mkdtemp(prefix="rris-pg-"))
        atexit.register(self.stop)
        _stopped_on_sigterm(self)
        try:
            if self._as_postgres:
                account = pwd.getpwnam("postgres")
                os.chown(self._dir, account.pw_uid, account.pw_gid)
            # C.UTF-8 rather than C: lower()/upper() must handle names beyond ASCII.
            initdb = ["-D", str(self._data), "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C.UTF-8"]
            self._run("initdb", *initdb, "--no-sync", "--no-instructions")
            self._start_server()
            self.create_database(self.database)
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> str:
        """Create an empty database `name` and return its SQLAlchemy URL."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True, connect_timeout=10
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_check_name(name))))
        return self.url_for(name)

    def stop(self) -> None:
        """Stop the server (fast mode) and delete the cluster directory; safe to call twice."""
        if self._dir is None:
            return
        if (self._data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "-t", "30", "stop")
            except PostgresUnavailable:
                self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None
        self.port = 0
        atexit.unregister(self.stop)
        _RUNNING.discard(self)

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def _data(self) -> Path:
        assert self._dir is not None
        return self._dir / "data"

    def _start_server(self) -> None:
        assert self._dir is not None
        log = self._dir / "server.log"
        for _ in range(_START_ATTEMPTS):
            self.port = free_port()
            options = f"-h 127.0.0.1 -p {self.port} -k {self._dir} {_SERVER_OPTIONS}"
            result = self._run(
                "pg_ctl", "-D", str(self._data), "-l", str(log), "-w", "-t", "30", "-o", options, "start", check=False
            )
            if result.returncode == 0:
                return
        self.port = 0
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise PostgresUnavailable(f"PostgreSQL did not start:\n{result.stdout}\n{server_log}")

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self._bindir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        # PG* variables from the caller's shell would point the tools at another server.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        result = subprocess.run(command, cwd=self._dir, env=env, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise PostgresUnavailable(f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result


_RUNNING: set[ThrowawayPostgres] = set()


def _stopped_on_sigterm(cluster: ThrowawayPostgres) -> None:
    """Have SIGTERM stop `cluster` before it ends the process, where nothing else handles SIGTERM.

    A process that handles SIGTERM itself (`deploy.cluster`) stops its servers in its own order,
    and only the main thread may set a handler: both keep `atexit` alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, _stop_and_terminate):
        return
    _RUNNING.add(cluster)
    signal.signal(signal.SIGTERM, _stop_and_terminate)


def _stop_and_terminate(signum: int, _frame: FrameType | None) -> None:
    for cluster in list(_RUNNING):
        with contextlib.suppress(Exception):  # the process ends by the signal whatever a stop says
            cluster.stop()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)  # ended by the signal, as it would have been


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name
