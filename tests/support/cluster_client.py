"""Talking to `make cluster` as people and case systems do: HTTPS through nginx, a browser's
cookies and CSRF tokens, the JSON API with a token, and the `flask` commands on the cluster's settings."""

from __future__ import annotations

import http.cookiejar
import json
import re
import ssl
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from deploy.cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
DEMO_PASSWORD = "rris-demo-2026"
JELENA = "jelena.markovic@mup.rs.example"


@dataclass(frozen=True)
class Answer:
    """What came back: status, headers, body text."""

    status: int
    headers: dict[str, str]
    text: str
    url: str

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.text)


class HttpsClient:
    """An HTTPS client that trusts only the cluster's certificate, keeps cookies and uses no proxy."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(self.cookies),
        )

    def request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        """GET (or POST `data`); redirects followed as a browser does."""
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (the cluster's https)
        try:
            with self._opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode(), response.url)
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode(errors="replace"), url)

    def submit(self, url: str, fields: dict[str, str]) -> Answer:
        """Open the form at `url` and post `fields` with the page's CSRF token, as a browser does."""
        page = self.request(url)
        found = _CSRF.search(page.text)
        assert found, f"no CSRF token on {url}: {page.status}"
        body = urllib.parse.urlencode({**fields, "csrf_token": found.group(1) or found.group(2)}).encode()
        return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded", "Referer": url})


def flask(cluster: Cluster, *args: str) -> str:
    """Run `flask --app wsgi ARGS` with the cluster's settings; its output."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    result = subprocess.run(command, cwd=ROOT, env=cluster.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def booking_request(case_reference: str) -> dict[str, Any]:
    """A Pashto interview for tomorrow 10:00 in Belgrade, as a case system books it."""
    tomorrow = datetime.now(ZoneInfo("Europe/Belgrade")).date() + timedelta(days=1)
    return {
        "applicant_language": "pus",
        "officer_language": "srp",
        "session_kind": "asylum_interview",
        "start_local": f"{tomorrow.isoformat()}T10:00",
        "duration_minutes": 60,
        "case_reference": case_reference,
    }
