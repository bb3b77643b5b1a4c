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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from twilio.http import HttpClient
from twilio.http.response import Response

from rris.context import current_settings
from rris.notifications.integrations.sms import TwilioSmsSender
from rris.phone.services.phone_guard import PhoneSetup


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


def call_resource(data: dict[str, object] | None, url: str) -> dict[str, Any]:
    """A Call resource as Twilio returns it when it accepts a new call (queued) or an update."""
    data = data or {}
    account_sid = url.split("/Accounts/", 1)[-1].split("/", 1)[0]
    named = url.rsplit("/Calls/", 1)[-1].removesuffix(".json") if "/Calls/" in url else ""
    sid = named or "CA" + uuid.uuid4().hex
    return {
        "account_sid": account_sid,
        "annotation": None,
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": "Mon, 12 Jan 2026 08:00:00 +0000",
        "date_updated": "Mon, 12 Jan 2026 08:00:00 +0000",
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": data.get("From"),
        "from_formatted": data.get("From"),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "start_time": None,
        "status": str(data.get("Status", "queued")),
        "subresource_uris": {},
        "to": data.get("To"),
        "to_formatted": data.get("To"),
        "trunk_sid": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json",
        "queue_time": "0",
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
    """Records every request; answers with queued responses, else with an accepted Message (or
    Call, for the Calls resource)."""

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
        default = call_resource if "/Calls" in uri else message_resource
        body = canned.body if canned.body is not None else default(recorded.data, uri)
        return Response(canned.status, json.dumps(body), headers={"Content-Type": "application/json"})

    @property
    def calls_placed(self) -> list[RecordedRequest]:
        """Every request that created a call, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.url.endswith("/Calls.json")]

    @property
    def sent_bodies(self) -> list[str]:
        """The `Body` of every message request, oldest first."""
        with self._lock:
            return [str(r.data["Body"]) for r in self.requests if r.data and "Body" in r.data]


TEST_ACCOUNT_SID = "AC" + "5a" * 16
TEST_AUTH_TOKEN = "voice-auth-token-for-tests-0123456"  # noqa: S105 (a test value)
TEST_FROM_NUMBER = "+15005550006"


@contextmanager
def twilio_voice(app: Flask, *responses: CannedResponse, **settings_changes: Any) -> Iterator[RecordingHttpClient]:
    """Within the block the app has a Twilio account: its settings name one, and calls go
    through the real SDK to this recorder. Both are put back afterwards (the app is shared)."""
    from rris.phone.integrations.telephony import TwilioVoice

    recorder = RecordingHttpClient(*responses)
    original_settings, original_voice = app.extensions["rris.settings"], app.extensions["rris.voice"]
    settings = original_settings.replace(
        twilio_account_sid=TEST_ACCOUNT_SID,
        twilio_auth_token=TEST_AUTH_TOKEN,
        twilio_from=TEST_FROM_NUMBER,
        **settings_changes,
    )
    app.extensions["rris.settings"] = settings
    app.extensions["rris.voice"] = TwilioVoice(settings, http_client=recorder)
    try:
        yield recorder
    finally:
        app.extensions["rris.settings"], app.extensions["rris.voice"] = original_settings, original_voice


def phone_setup() -> PhoneSetup:
    """The telephone setup of the running app's settings (changed ones within `changed_settings`)."""
    return PhoneSetup.from_settings(current_settings())


@contextmanager
def changed_settings(app: Flask, **changes: Any) -> Iterator[None]:
    """Within the block the app runs with some settings changed (the app is shared: put back after)."""
    original = app.extensions["rris.settings"]
    app.extensions["rris.settings"] = original.replace(**changes)
    try:
        yield
    finally:
        app.extensions["rris.settings"] = original


@contextmanager
def sms_recorded(app: Flask, account_sid: str = "AC" + "0" * 32) -> Iterator[RecordingHttpClient]:
    """Within the block the app's SMS go through the real Twilio SDK to a recording transport."""
    transport = RecordingHttpClient()
    previous = app.extensions["rris.sms"]
    app.extensions["rris.sms"] = TwilioSmsSender(account_sid, "auth-token", "+15005550006", http_client=transport)
    try:
        yield transport
    finally:
        app.extensions["rris.sms"] = previous
