"""Placing and ending telephone calls through Twilio's Voice API with the official SDK.

Only two requests: create a call that fetches its TwiML from our voice webhook and reports its
progress to our status webhook, and end a call. Without a Twilio account there is no provider
at all (`voice_from_settings` returns None) and the telephone fallback runs simulated legs.
Numbers never reach the logs beyond their last four digits.
"""

from __future__ import annotations

import logging
from typing import Protocol

from requests import ReadTimeout, RequestException
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from rris.domain.toll_guard import number_tail
from rris.settings import Settings

log = logging.getLogger(__name__)

TWILIO_TIMEOUT_SECONDS = 15
TOO_MANY_REQUESTS = 429
# The progress Twilio reports to the status webhook ("answered" arrives as CallStatus in-progress).
STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")


class VoiceError(Exception):
    """The provider did not do what was asked; `status` and `code` are Twilio's, when known."""

    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class VoicePermanentError(VoiceError):
    """Twilio refused the request (invalid number, call already over...); repeating it will not help."""


class VoiceTemporaryError(VoiceError):
    """Twilio could not be reached or asked us to slow down; trying later may work."""


class VoiceUncertain(VoiceError):
    """The request reached Twilio but no answer came back: the call may be ringing already."""


class Voice(Protocol):
    """Something that rings numbers and hangs calls up."""

    def place_call(self, to: str, voice_url: str, status_url: str) -> str:
        """Ring `to`; Twilio fetches TwiML from `voice_url` on answer. Returns the CallSid."""
        ...

    def hang_up(self, call_sid: str) -> None:
        """End the call, whatever state it is in."""
        ...


class TwilioVoice:
    """Places and ends calls with the Twilio SDK; `http_client` is the SDK's own transport seam."""

    def __init__(self, settings: Settings, http_client: HttpClient | None = None) -> None:
        if not settings.twilio_configured:
            raise ValueError("TwilioVoice needs RRIS_TWILIO_ACCOUNT_SID, RRIS_TWILIO_AUTH_TOKEN and RRIS_TWILIO_FROM")
        self.from_number = settings.twilio_from
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=http_client or TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS),
        )

    def place_call(self, to: str, voice_url: str, status_url: str) -> str:
        """Ring `to` from the Twilio number; returns Twilio's CallSid."""
        tail = "…" + number_tail(to)
        try:
            call = self._client.calls.create(
                to=to,
                from_=self.from_number,
                url=voice_url,
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                status_callback_event=list(STATUS_CALLBACK_EVENTS),
            )
        except (TwilioRestException, TwilioServiceException) as error:
            raise _failure(f"the call to {tail}", error) from None
        except ReadTimeout:
            log.warning("Twilio did not answer in time for the call to %s; it may be ringing", tail)
            raise VoiceUncertain(f"Twilio did not answer in time for the call to {tail}") from None
        except (RequestException, OSError) as error:
            log.warning("Twilio unreachable for the call to %s: %s", tail, type(error).__name__)
            raise VoiceTemporaryError(f"Twilio unreachable for the call to {tail}: {type(error).__name__}") from None
        log.info("call to %s handed to Twilio as %s", tail, call.sid)
        return str(call.sid)

    def hang_up(self, call_sid: str) -> None:
        """Ask Twilio to end the call (status "completed": ends it ringing or answered alike)."""
        try:
            self._client.calls(call_sid).update(status="completed")
        except (TwilioRestException, TwilioServiceException) as error:
            raise _failure(f"hanging up {call_sid}", error) from None
        except ReadTimeout:
            log.warning("Twilio did not answer in time to hang up %s", call_sid)
            raise VoiceUncertain(f"Twilio did not answer in time to hang up {call_sid}") from None
        except (RequestException, OSError) as error:
            log.warning("Twilio unreachable to hang up %s: %s", call_sid, type(error).__name__)
            raise VoiceTemporaryError(f"Twilio unreachable to hang up {call_sid}: {type(error).__name__}") from None
        log.info("call %s hung up through Twilio", call_sid)


def _failure(what: str, error: TwilioRestException | TwilioServiceException) -> VoiceError:
    # Twilio's own message may name the full number, so only status and code go further.
    status, code = int(error.status or 0), error.code
    if status == TOO_MANY_REQUESTS or not 400 <= status < 500:
        log.warning("Twilio could not take %s now (HTTP %s, error %s)", what, status, code)
        return VoiceTemporaryError(f"Twilio could not take {what} now (HTTP {status}, error {code})", status, code)
    log.warning("Twilio refused %s (HTTP %s, error %s)", what, status, code)
    return VoicePermanentError(f"Twilio refused {what} (HTTP {status}, error {code})", status, code)


def voice_from_settings(settings: Settings) -> Voice | None:
    """Twilio when its account, token and number are set; None (simulated legs) otherwise."""
    return TwilioVoice(settings) if settings.twilio_configured else None


def current_voice() -> Voice | None:
    """The voice provider of the running application (set by `rris.app.create_app`), or None."""
    from flask import current_app

    return current_app.extensions["rris.voice"]
