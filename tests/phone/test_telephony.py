"""Calls are placed and hung up through the real Twilio SDK, recorded at its HTTP seam: these
are the exact REST requests Twilio would receive. Without an account there is no provider."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import pytest
import requests

from rris.app import create_app
from rris.phone.integrations.telephony import (
    STATUS_CALLBACK_EVENTS,
    TwilioVoice,
    VoicePermanentError,
    VoiceTemporaryError,
    VoiceUncertain,
    current_voice,
    voice_from_settings,
)
from rris.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.twilio_recorder import CannedResponse, RecordingHttpClient, twilio_error

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "auth-token-for-tests-only-0123456"
FROM_NUMBER = "+15005550006"
MOBILE = "+381641234567"
VOICE_URL = "https://rris.example/twilio/voice/12"
STATUS_URL = "https://rris.example/twilio/status"
CALL_SID = "CA" + "ab" * 16


@pytest.fixture(autouse=True)
def _no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK reads TWILIO_EDGE and TWILIO_REGION from the environment, which would change the URL.
    for name in ("TWILIO_EDGE", "TWILIO_REGION", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def settings(tmp_path, **twilio: str) -> Settings:
    values = {
        "RRIS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "RRIS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "RRIS_TWILIO_FROM": FROM_NUMBER,
    }
    values.update(twilio)
    return Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_SECRET_KEY": TEST_SECRET_KEY, **values})


@pytest.fixture
def voice(tmp_path) -> tuple[TwilioVoice, RecordingHttpClient]:
    recorder = RecordingHttpClient()
    return TwilioVoice(settings(tmp_path), http_client=recorder), recorder


def test_a_call_is_created_on_the_accounts_calls_resource_with_our_webhooks(voice):
    provider, recorder = voice
    provider.place_call(MOBILE, VOICE_URL, STATUS_URL)
    (sent,) = recorder.requests
    assert sent.method == "POST"
    assert sent.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert sent.data == {
        "To": MOBILE,
        "From": FROM_NUMBER,
        "Url": VOICE_URL,
        "Method": "POST",
        "StatusCallback": STATUS_URL,
        "StatusCallbackMethod": "POST",
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
    }
    assert sent.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["User-Agent"].startswith("twilio-python/9.13")
    assert not sent.params


def test_on_the_wire_each_status_event_is_its_own_form_field(voice):
    """What the SDK's requests-based client sends: StatusCallbackEvent repeated, once per event."""
    provider, recorder = voice
    provider.place_call(MOBILE, VOICE_URL, STATUS_URL)
    (sent,) = recorder.requests
    body = requests.Request(sent.method, sent.url, data=sent.data, headers=sent.headers).prepare().body
    form = parse_qs(body)
    assert form["StatusCallbackEvent"] == list(STATUS_CALLBACK_EVENTS)
    assert form["Url"] == [VOICE_URL] and form["To"] == [MOBILE]


def test_the_call_sid_twilio_assigns_is_returned(voice):
    provider, recorder = voice
    recorder.answer_next(CannedResponse(201, {"sid": CALL_SID, "status": "queued"}))
    assert provider.place_call(MOBILE, VOICE_URL, STATUS_URL) == CALL_SID


def test_hanging_up_sets_the_calls_status_to_completed(voice):
    provider, recorder = voice
    provider.hang_up(CALL_SID)
    (sent,) = recorder.requests
    assert sent.method == "POST"
    assert sent.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{CALL_SID}.json"
    assert sent.data == {"Status": "completed"}


def test_an_invalid_number_is_permanent_and_the_number_stays_out_of_logs_and_errors(voice, caplog):
    provider, recorder = voice
    recorder.answer_next(twilio_error(400, 21217, f"Phone number {MOBILE} is not valid."))
    with caplog.at_level(logging.DEBUG), pytest.raises(VoicePermanentError) as raised:
        provider.place_call(MOBILE, VOICE_URL, STATUS_URL)
    assert (raised.value.status, raised.value.code) == (400, 21217)
    assert MOBILE not in str(raised.value) and MOBILE not in caplog.text
    assert "…4567" in str(raised.value) and "…4567" in caplog.text


def test_a_country_twilio_may_not_call_is_permanent(voice):
    provider, recorder = voice
    recorder.answer_next(twilio_error(400, 21215, "Account not authorized to call +381641234567."))
    with pytest.raises(VoicePermanentError):
        provider.place_call(MOBILE, VOICE_URL, STATUS_URL)


@pytest.mark.parametrize(
    "answer",
    [twilio_error(500, 20500, "Internal Server Error"), twilio_error(429, 20429, "Too Many Requests")],
    ids=["500", "429"],
)
def test_server_errors_and_throttling_are_temporary(voice, answer):
    provider, recorder = voice
    recorder.answer_next(answer)
    with pytest.raises(VoiceTemporaryError):
        provider.place_call(MOBILE, VOICE_URL, STATUS_URL)


def test_an_unreachable_twilio_is_temporary(voice):
    provider, recorder = voice
    recorder.answer_next(CannedResponse(raises=requests.ConnectionError("connection refused")))
    with pytest.raises(VoiceTemporaryError):
        provider.place_call(MOBILE, VOICE_URL, STATUS_URL)


def test_no_answer_after_the_request_went_out_is_uncertain(voice):
    """Twilio may be ringing the phone already: placing the call again could ring it twice."""
    provider, recorder = voice
    recorder.answer_next(CannedResponse(raises=requests.ReadTimeout("read timed out")))
    with pytest.raises(VoiceUncertain):
        provider.place_call(MOBILE, VOICE_URL, STATUS_URL)


def test_hanging_up_a_call_that_is_over_is_a_permanent_refusal(voice):
    provider, recorder = voice
    recorder.answer_next(twilio_error(400, 21220, "Call is not in-progress. Cannot redirect."))
    with pytest.raises(VoicePermanentError) as raised:
        provider.hang_up(CALL_SID)
    assert raised.value.code == 21220


def test_without_a_complete_twilio_account_there_is_no_provider(tmp_path):
    assert voice_from_settings(settings(tmp_path, RRIS_TWILIO_FROM="")) is None
    assert voice_from_settings(settings(tmp_path, RRIS_TWILIO_AUTH_TOKEN="")) is None
    assert isinstance(voice_from_settings(settings(tmp_path)), TwilioVoice)
    with pytest.raises(ValueError):
        TwilioVoice(settings(tmp_path, RRIS_TWILIO_ACCOUNT_SID=""))


def test_the_app_places_calls_with_the_injected_provider_or_none_without_an_account(tmp_path):
    with_twilio = settings(tmp_path)  # SQLite in tmp_path
    injected = TwilioVoice(with_twilio, http_client=RecordingHttpClient())
    with create_app(with_twilio, voice=injected).app_context():
        assert current_voice() is injected
    without = with_twilio.replace(twilio_account_sid="", twilio_auth_token="", twilio_from="")
    with create_app(without).app_context():
        assert current_voice() is None
