"""The portal served for real by a threaded WSGI server on 127.0.0.1, and HTTP requests that race it.

    with serve_portal(settings, FrozenClock(DEFAULT_NOW)) as portal:
        answers = race(portal.port, [Request("/api/v1/offers/7/accept", token)] * 50)

Each request is its own connection and thread, released together by a barrier, so the server
really sees them at once; the database is whatever `settings` names (SQLite or PostgreSQL).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.portal import create_portal
from rris.settings import Settings
from rris.timeutil import FrozenClock


@dataclass(frozen=True)
class LivePortal:
    """A running portal: its app (for setting up data) and the port it listens on."""

    app: Flask
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve_portal(settings: Settings, clock: FrozenClock) -> Iterator[LivePortal]:
    """Migrate the database `settings` names, load the languages, and serve the portal until exit."""
    app = create_portal(settings, clock=clock)
    with app.app_context():
        upgrade()
        sync_languages()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LivePortal(app, server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@dataclass(frozen=True)
class Request:
    """A POST with a JSON body, authenticated by an API token."""

    path: str
    token: str
    body: Any = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()


class Answer(NamedTuple):
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def send(port: int, request: Request) -> Answer:
    """One request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {request.token}", "Content-Type": "application/json", **dict(request.headers)}
    try:
        connection.request("POST", request.path, body=json.dumps(request.body).encode(), headers=headers)
        response = connection.getresponse()
        return Answer(response.status, json.loads(response.read() or b"{}"), dict(response.getheaders()))
    finally:
        connection.close()


def race(port: int, requests: list[Request]) -> list[Answer]:
    """Send every request at the same moment, each from its own thread; the answers in order."""
    barrier = threading.Barrier(len(requests))

    def go(request: Request) -> Answer:
        barrier.wait()
        return send(port, request)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(go, requests))
