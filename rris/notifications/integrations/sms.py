"""Sending SMS: Twilio in production, a folder of text files on a laptop with no Twilio account."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from twilio.http import HttpClient

from rris.phone.integrations.twilio_rest import ErrorKinds, ProviderError, twilio_client, twilio_request
from rris.settings import Settings

log = logging.getLogger(__name__)

E164_PATTERN = re.compile(r"\+[0-9]{8,15}")
MAX_SMS_BODY_CHARS = 1600  # Twilio's limit for one message (it splits it into segments itself)


@dataclass(frozen=True)
class OutgoingSms:
    """One text message to one E.164 number."""

    to: str
    body: str

    def __post_init__(self) -> None:
        if not isinstance(self.to, str) or not E164_PATTERN.fullmatch(self.to):
            raise ValueError("to: an SMS goes to an E.164 number, '+' and 8 to 15 digits")
        if not isinstance(self.body, str) or not self.body.strip():
            raise ValueError("body: an SMS needs a text")
        if len(self.body) > MAX_SMS_BODY_CHARS:
            raise ValueError(f"body: an SMS holds at most {MAX_SMS_BODY_CHARS} characters")


class SmsError(ProviderError):
    """The SMS was not handed over to the provider."""


class SmsPermanentError(SmsError):
    """The provider refused this SMS (invalid or unsubscribed number); sending it again will not help."""


class SmsTemporaryError(SmsError):
    """The provider could not be reached or asked us to slow down; trying later may work."""


class SmsDeliveryUncertain(SmsError):
    """The request reached the provider but no answer came back: the SMS may be on its way.

    Sending it again could deliver it twice, so callers must not retry it.
    """


SMS_ERRORS = ErrorKinds(permanent=SmsPermanentError, temporary=SmsTemporaryError, uncertain=SmsDeliveryUncertain)


class SmsSender(Protocol):
    """Something that delivers an OutgoingSms and returns the provider's message id."""

    def send(self, sms: OutgoingSms) -> str: ...


def number_tail(number: str) -> str:
    """The last four digits of a number, the most of it that goes into logs."""
    return "…" + number[-4:]


class TwilioSmsSender:
    """Sends through Twilio's Messages API with the official SDK."""

    def __init__(
        self, account_sid: str, auth_token: str, from_number: str, http_client: HttpClient | None = None
    ) -> None:
        self.from_number = from_number
        self._client = twilio_client(account_sid, auth_token, http_client)

    def send(self, sms: OutgoingSms) -> str:
        to = number_tail(sms.to)
        with twilio_request(f"the SMS to {to}", SMS_ERRORS):
            message = self._client.messages.create(to=sms.to, from_=self.from_number, body=sms.body)
        log.info("SMS to %s handed to Twilio as %s", to, message.sid)
        return message.sid


@dataclass
class FolderSmsSender:
    """Writes each SMS to a folder as a text file (development without Twilio)."""

    folder: Path

    def send(self, sms: OutgoingSms) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = f"local-{uuid.uuid4().hex}"
        path = self.folder / f"{message_id}.txt"
        path.write_text(f"To: {sms.to}\nId: {message_id}\n\n{sms.body}\n", encoding="utf-8")
        log.info("SMS to %s saved to %s (no Twilio account configured)", number_tail(sms.to), path)
        return message_id


def sms_sender_from_settings(settings: Settings) -> SmsSender:
    """Twilio when its account, token and number are set, else the instance's SMS folder."""
    if settings.twilio_configured:
        return TwilioSmsSender(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from)
    return FolderSmsSender(settings.sms_folder)


def current_sms_sender() -> SmsSender:
    """The SMS sender of the running application (set by `rris.app.create_app`)."""
    from flask import current_app

    return current_app.extensions["rris.sms"]
