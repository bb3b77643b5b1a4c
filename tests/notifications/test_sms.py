"""SMS leave through the real Twilio SDK (recorded at its HTTP seam) or, without Twilio, into a folder."""

from __future__ import annotations

import logging

import pytest
import requests

from rris.notifications.integrations.sms import (
    FolderSmsSender,
    OutgoingSms,
    SmsDeliveryUncertain,
    SmsPermanentError,
    SmsTemporaryError,
    TwilioSmsSender,
    sms_sender_from_settings,
)
from rris.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.twilio_recorder import CannedResponse, RecordingHttpClient, twilio_error

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "auth-token-for-tests-only-0123456"
FROM_NUMBER = "+15005550006"
INTERPRETER_MOBILE = "+381641234567"
BODY = "RRIS: interview at 09:00 tomorrow, join at https://rris.test/calls/B1"


@pytest.fixture(autouse=True)
def _no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK reads TWILIO_EDGE and TWILIO_REGION from the environment, which would change the URL.
    for name in ("TWILIO_EDGE", "TWILIO_REGION", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def twilio_sender(*responses: CannedResponse) -> tuple[TwilioSmsSender, RecordingHttpClient]:
    recorder = RecordingHttpClient(*responses)
    return TwilioSmsSender(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, http_client=recorder), recorder


def test_the_sdk_posts_the_message_form_to_the_account_messages_resource():
    sender, recorder = twilio_sender()
    sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    (sent,) = recorder.requests
    assert sent.method == "POST"
    assert sent.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert sent.data == {"To": INTERPRETER_MOBILE, "From": FROM_NUMBER, "Body": BODY}
    assert sent.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["User-Agent"].startswith("twilio-python/9.13")
    assert not sent.params


def test_the_message_sid_twilio_assigns_is_returned():
    sender, _recorder = twilio_sender(CannedResponse(201, {"sid": "SM" + "ab" * 16, "status": "queued"}))
    assert sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY)) == "SM" + "ab" * 16


def test_the_default_answer_is_a_fresh_message_sid():
    sender, _recorder = twilio_sender()
    first = sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    second = sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    assert first.startswith("SM") and len(first) == 34
    assert first != second


def test_an_invalid_number_is_a_permanent_failure_and_neither_number_nor_text_is_logged(caplog):
    refusal = twilio_error(400, 21211, f"The 'To' number {INTERPRETER_MOBILE} is not a valid phone number.")
    sender, _recorder = twilio_sender(refusal)
    with caplog.at_level(logging.DEBUG), pytest.raises(SmsPermanentError) as raised:
        sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    assert raised.value.status == 400
    assert raised.value.code == 21211
    assert "4567" in str(raised.value)
    assert INTERPRETER_MOBILE not in str(raised.value)
    assert INTERPRETER_MOBILE not in caplog.text
    assert "09:00" not in caplog.text
    assert "…4567" in caplog.text


def test_an_unsubscribed_recipient_is_a_permanent_failure():
    sender, _recorder = twilio_sender(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    with pytest.raises(SmsPermanentError) as raised:
        sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    assert raised.value.code == 21610


@pytest.mark.parametrize(
    "answer",
    [
        twilio_error(500, 20500, "Internal Server Error"),
        twilio_error(503, 20503, "Service Unavailable"),
        twilio_error(429, 20429, "Too Many Requests"),
        CannedResponse(502, {"unexpected": "gateway page"}),
    ],
    ids=["500", "503", "429", "502-no-twilio-error"],
)
def test_server_errors_and_throttling_are_temporary(answer):
    sender, _recorder = twilio_sender(answer)
    with pytest.raises(SmsTemporaryError) as raised:
        sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    assert raised.value.status == answer.status


@pytest.mark.parametrize(
    "failure",
    [requests.ConnectionError("connection refused"), requests.ConnectTimeout("connect timed out")],
    ids=["connection", "connect-timeout"],
)
def test_an_unreachable_twilio_is_temporary(failure):
    sender, _recorder = twilio_sender(CannedResponse(raises=failure))
    with pytest.raises(SmsTemporaryError):
        sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))


def test_no_answer_after_the_request_went_out_is_uncertain_not_temporary():
    """Twilio may have taken the SMS: retrying could send it twice."""
    sender, _recorder = twilio_sender(CannedResponse(raises=requests.ReadTimeout("read timed out")))
    with pytest.raises(SmsDeliveryUncertain):
        sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))


@pytest.mark.parametrize(
    ("to", "body", "field"),
    [
        ("0641234567", BODY, "to"),
        ("+381 64 123", BODY, "to"),
        ("+1234567", BODY, "to"),
        ("+1234567890123456", BODY, "to"),
        (INTERPRETER_MOBILE, "", "body"),
        (INTERPRETER_MOBILE, "   ", "body"),
        (INTERPRETER_MOBILE, "x" * 1601, "body"),
    ],
)
def test_an_invalid_sms_is_refused_naming_the_field(to, body, field):
    with pytest.raises(ValueError, match=rf"^{field}:"):
        OutgoingSms(to, body)


def test_the_longest_numbers_and_texts_are_accepted():
    assert OutgoingSms("+12345678", "x" * 1600).body == "x" * 1600
    assert OutgoingSms("+123456789012345", "hi").to == "+123456789012345"


def test_without_twilio_each_sms_is_written_to_the_folder(tmp_path):
    folder = tmp_path / "sms"
    sender = FolderSmsSender(folder)
    first = sender.send(OutgoingSms(INTERPRETER_MOBILE, BODY))
    second = sender.send(OutgoingSms(INTERPRETER_MOBILE, "second"))
    assert first != second
    text = (folder / f"{first}.txt").read_text(encoding="utf-8")
    assert f"To: {INTERPRETER_MOBILE}" in text
    assert BODY in text
    assert len(list(folder.iterdir())) == 2


def settings(tmp_path, **variables: str) -> Settings:
    return Settings.from_env(
        {
            "RRIS_ENV": "test",
            "RRIS_INSTANCE_PATH": str(tmp_path / "instance"),
            "RRIS_SECRET_KEY": TEST_SECRET_KEY,
            **variables,
        }
    )


def test_twilio_is_used_when_account_token_and_number_are_configured(tmp_path):
    configured = settings(
        tmp_path,
        RRIS_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        RRIS_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        RRIS_TWILIO_FROM=FROM_NUMBER,
    )
    sender = sms_sender_from_settings(configured)
    assert isinstance(sender, TwilioSmsSender)
    assert sender.from_number == FROM_NUMBER


@pytest.mark.parametrize("missing", ["RRIS_TWILIO_ACCOUNT_SID", "RRIS_TWILIO_AUTH_TOKEN", "RRIS_TWILIO_FROM"])
def test_the_folder_is_used_when_twilio_is_not_fully_configured(tmp_path, missing):
    variables = {
        "RRIS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "RRIS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "RRIS_TWILIO_FROM": FROM_NUMBER,
    }
    del variables[missing]
    partial = settings(tmp_path, **variables)
    sender = sms_sender_from_settings(partial)
    assert isinstance(sender, FolderSmsSender)
    assert sender.folder == partial.sms_folder
