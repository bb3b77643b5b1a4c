"""Sending SMS: Twilio in production, a folder of text files on a laptop with no Twilio account."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from requests import ReadTimeout, RequestException
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from rris.settings import Settings

log = logging.getLogger(__name__)

E164_PATTERN = re.compile(r"\+[0-9]{8,15}")
MAX_SMS_BODY_CHARS = 1600  # Twilio's limit for one message (it splits it into segments itself)
TWILIO_TIMEOUT_SECONDS = 15
TOO_MANY_REQUESTS = 429


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


class SmsError(Exception):
    """The SMS was not handed over to the provider."""

    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SmsPermanentError(SmsError):
    """The provider refused this SMS (invalid or unsubscribed number); sending it again will not help."""


class SmsTemporaryError(SmsError):
    """The provider could not be reached or asked us to slow down; trying later may work."""


class SmsDeliveryUncertain(SmsError):
    """The request reached the provider but no answer came back: the SMS may be on its way.

    Sending it again could deliver it twice, so callers must not retry it.
    """


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
        self._client = Client(
            account_sid, auth_token, http_client=http_client or TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)
        )

    def send(self, sms: OutgoingSms) -> str:
        to = number_tail(sms.to)
        try:
            message = self._client.messages.create(to=sms.to, from_=self.from_number, body=sms.body)
        except (TwilioRestException, TwilioServiceException) as error:
            raise _failure(to, error) from None
        except ReadTimeout:
            log.warning("Twilio did not answer in time for the SMS to %s; it may have been sent", to)
            raise SmsDeliveryUncertain(f"Twilio did not answer in time for the SMS to {to}") from None
        except (RequestException, OSError) as error:
            log.warning("Twilio unreachable for the SMS to %s: %s", to, type(error).__name__)
            raise SmsTemporaryError(f"Twilio unreachable for the SMS to {to}: {type(error).__name__}") from None
        log.info("SMS to %s handed to Twilio as %s", to, message.sid)
        return message.sid


def _failure(to: str, error: TwilioRestException | TwilioServiceException) -> SmsError:
    # Twilio's own message names the full number, so only status and code go further.
    status, code = int(error.status or 0), error.code
    if status == TOO_MANY_REQUESTS or not 400 <= status < 500:
        log.warning("Twilio could not take the SMS to %s now (HTTP %s, error %s)", to, status, code)
        return SmsTemporaryError(
            f"Twilio could not take the SMS to {to} now (HTTP {status}, error {code})", status, code
        )
    log.warning("Twilio refused the SMS to %s (HTTP %s, error %s)", to, status, code)
    return SmsPermanentError(f"Twilio refused the SMS to {to} (HTTP {status}, error {code})", status, code)


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
