"""Confirmed bookings per second through nginx (TLS) in front of gunicorn, on PostgreSQL.

The portal runs as `make cluster` runs it: gunicorn with deploy/gunicorn.conf.py (gthread
workers of 4 threads each), nginx with the site a real deployment renders, over TLS with a
certificate made for 127.0.0.1, rate limits counted in Redis. Only the number of workers
changes between runs. The clients are those of `benchmarks.throughput` (8 case systems, each
booking, listing its interpreter's offers and accepting hers), each request on a fresh TLS
connection to nginx. Each run books into its own copy of the same generated pool.
"""

from __future__ import annotations

import http.client
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchmarks.throughput import HTTP_TIMEOUT_SECONDS, Client, Endpoint, Tally, call, drive
from deploy.cluster import GUNICORN_CONFIG, Process
from deploy.local.nginx import LocalNginx
from deploy.local.ports import free_port, poll_until
from deploy.local.tls import Certificate
from deploy.nginx_site import Site

PROJECT_ROOT = Path(__file__).resolve().parents[1]
APP = "benchmarks.cluster_wsgi:app"
READY_TIMEOUT_SECONDS = 60.0


@dataclass
class WorkersRun:
    """What the clients saw through nginx with `workers` gunicorn workers."""

    workers: int
    tally: Tally
    seconds: float
    confirmed_in_database: int = 0

    @property
    def confirmed_per_second(self) -> float:
        """Bookings the clients saw confirmed, per second of the run."""
        return self.tally.confirmed / self.seconds if self.seconds else 0.0


@contextmanager
def portal_behind_nginx(
    folder: Path, environment: dict[str, str], certificate: Certificate, workers: int
) -> Iterator[Endpoint]:
    """gunicorn with `workers` workers and nginx over TLS in front; yields how to reach nginx."""
    port, https_port = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), APP]
    gunicorn = Process(f"portal-{workers}", command, folder / "gunicorn.log")
    gunicorn.start({**environment, "RRIS_HOST": "127.0.0.1", "RRIS_PORT": str(port), "WEB_CONCURRENCY": str(workers)})
    try:
        if not poll_until(lambda: not gunicorn.alive() or _portal_answers(port), READY_TIMEOUT_SECONDS, 0.2):
            raise RuntimeError(f"gunicorn did not answer: {gunicorn.log_text()[-2000:]}")
        if not gunicorn.alive():
            raise RuntimeError(f"gunicorn exited: {gunicorn.log_text()[-2000:]}")
        site = Site(
            server_name="127.0.0.1",
            listen=f"127.0.0.1:{https_port}",
            certificate=certificate.certificate,
            certificate_key=certificate.key,
            static_root=PROJECT_ROOT / "static",
            portal=(f"127.0.0.1:{port}",),
            signaling=(f"127.0.0.1:{free_port()}",),  # no node in this part; nginx's site needs one
            snippets=folder / "nginx" / "snippets",
            redirect_http=False,
        )
        with LocalNginx(folder / "nginx", site):
            context = ssl.create_default_context(cafile=str(certificate.certificate))
            endpoint = partial(
                http.client.HTTPSConnection, "127.0.0.1", https_port, context=context, timeout=HTTP_TIMEOUT_SECONDS
            )
            if call(endpoint, "GET", "/healthz", "")[0] != 200:
                raise RuntimeError("nginx does not reach the portal")
            yield endpoint
    finally:
        gunicorn.stop()


@dataclass(frozen=True)
class BookingClients:
    """The clients timed, others that warm every worker up first, and how long each group runs."""

    timed: list[Client]
    warmup: list[Client]
    seconds: float
    warmup_seconds: float


def run_workers(
    folder: Path, environment: dict[str, str], certificate: Certificate, workers: int, clients: BookingClients
) -> WorkersRun:
    """The warm-up clients book through nginx with `workers` gunicorn workers (each worker's first
    requests pay for its imports and caches), then the timed ones."""
    with portal_behind_nginx(folder, environment, certificate, workers) as endpoint:
        drive(endpoint, clients.warmup, clients.warmup_seconds)
        tally, elapsed = drive(endpoint, clients.timed, clients.seconds)
    return WorkersRun(workers, tally, elapsed)


def _portal_answers(port: int) -> bool:
    return call(port, "GET", "/healthz", "")[0] == 200
