"""A case system's webhook endpoint on 127.0.0.1, as a receiver would write one: it verifies every
POST with the kept `standardwebhooks` library and processes each `webhook-id` once."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    """One POST as it arrived."""

    message_id: str
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class WebhookReceiver:
    """Answers `status` (after `delay` seconds); `secrets` are those it verifies with (any may match)."""

    secrets: list[str] = field(default_factory=list)
    status: int = 204
    delay: float = 0.0
    port: int = 0
    received: list[Received] = field(default_factory=list)
    processed: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload, first time only
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/rris-webhooks"

    def start(self) -> WebhookReceiver:
        """Listen (on the same port again after `stop`)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.take(dict(self.headers.items()), body)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: the endpoint is down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def take(self, headers: dict[str, str], body: bytes) -> None:
        """Verify and keep one POST; a verified id seen before is a duplicate and not processed again."""
        verified = self.verify(headers, body)
        message_id = {key.lower(): value for key, value in headers.items()}.get("webhook-id", "")
        with self._lock:
            self.received.append(Received(message_id, headers, body, verified))
            if verified and message_id not in self.processed:
                self.processed[message_id] = json.loads(body)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        """True when one of the receiver's secrets verifies the message (signature and timestamp)."""
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return True
        return False

    def types(self) -> list[str]:
        """The event types processed, in the order they arrived."""
        return [payload["type"] for payload in self.processed.values()]
