"""The network side of a delivery: resolve the endpoint's host, and POST to it with a short timeout.

No proxies from the environment, no redirects followed (a redirect could lead inside the
network), and the host is resolved and checked before every POST, not only when registered.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

USER_AGENT = "RRIS-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    """What one POST came to: a status code, or the error that stopped it, and how long it took."""

    status_code: int | None
    error: str | None
    duration_ms: int


def resolve(url: str) -> list[str]:
    """Every address the URL's host resolves to (empty when it does not resolve)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in found})


def post(url: str, body: str, headers: dict[str, str], timeout_seconds: float) -> Answer:
    """POST `body` as JSON; never raises for what the receiver or the network does."""
    started = time.monotonic()
    with requests.Session() as session:
        session.trust_env = False  # no proxy or .netrc from the environment
        try:
            response = session.post(
                url,
                data=body.encode("utf-8"),
                headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
                timeout=(timeout_seconds, timeout_seconds),
                allow_redirects=False,
            )
            response.close()
        except requests.Timeout:
            return Answer(None, f"no answer within {timeout_seconds:g} s", _since(started))
        except requests.ConnectionError as error:
            return Answer(None, f"could not connect: {_first_line(error)}", _since(started))
        except requests.RequestException as error:
            return Answer(None, f"{type(error).__name__}: {_first_line(error)}", _since(started))
    return Answer(response.status_code, None, _since(started))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
