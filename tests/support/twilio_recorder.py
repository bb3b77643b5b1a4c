"""An HTTP client for the real Twilio SDK that records each request and answers from a script.

It sits at the SDK's own seam (`Client(..., http_client=...)`), so everything above it, from
parameter names to URLs and error parsing, is Twilio's code. Nothing goes over the network.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response


@dataclass(frozen=True)
class RecordedRequest:
    """One request exactly as the SDK handed it to its HTTP client."""

    method: str
    url: str
    params: dict[str, object] | None
    data: dict[str, object] | None
    headers: dict[str, str] | None
    auth: tuple[str, str] | None


@dataclass(frozen=True)
class CannedResponse:
    """What to answer one request with: a status and a JSON body, or an exception to raise."""

    status: int = 201
    body: dict[str, Any] | None = None
    raises: BaseException | None = None


def message_resource(data: dict[str, object] | None, url: str) -> dict[str, Any]:
    """A Message resource as Twilio returns it when it accepts an SMS."""
    data = data or {}
    account_sid = url.split("/Accounts/", 1)[-1].split("/", 1)[0]
    sid = "SM" + uuid.uuid4().hex
    body = str(data.get("Body", ""))
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": "Mon, 12 Jan 2026 08:00:00 +0000",
        "date_sent": None,
        "date_updated": "Mon, 12 Jan 2026 08:00:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": data.get("From"),
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "to": data.get("To"),
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


def twilio_error(status: int, code: int, message: str) -> CannedResponse:
    """An error answer in Twilio's (legacy) error format."""
    return CannedResponse(
        status=status,
        body={
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


class RecordingHttpClient(HttpClient):
    """Records every request; answers with queued responses, else with an accepted Message."""

    def __init__(self, *responses: CannedResponse) -> None:
        super().__init__(logging.getLogger("tests.twilio"), is_async=False)
        self.requests: list[RecordedRequest] = []
        self._script: deque[CannedResponse] = deque(responses)
        self._lock = threading.Lock()

    def answer_next(self, response: CannedResponse) -> None:
        """Queue the answer for a coming request (answers are used in order)."""
        with self._lock:
            self._script.append(response)

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        recorded = RecordedRequest(
            method=method,
            url=uri,
            params=dict(params) if params else params,
            data=dict(data) if data else data,
            headers=dict(headers) if headers else headers,
            auth=tuple(auth) if auth else None,  # type: ignore[arg-type]
        )
        with self._lock:
            self.requests.append(recorded)
            canned = self._script.popleft() if self._script else CannedResponse()
        if canned.raises is not None:
            raise canned.raises
        body = canned.body if canned.body is not None else message_resource(recorded.data, uri)
        return Response(canned.status, json.dumps(body), headers={"Content-Type": "application/json"})

    @property
    def sent_bodies(self) -> list[str]:
        """The `Body` of every message request, oldest first."""
        with self._lock:
            return [str(r.data["Body"]) for r in self.requests if r.data and "Body" in r.data]
