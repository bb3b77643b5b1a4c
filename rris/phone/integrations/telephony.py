"""Placing and ending telephone calls through Twilio's Voice API with the official SDK.

Only two requests: create a call that fetches its TwiML from our voice webhook and reports its
progress to our status webhook, and end a call. Without a Twilio account there is no provider
at all (`voice_from_settings` returns None) and the telephone fallback runs simulated legs.
Numbers never reach the logs beyond their last four digits.
"""

from __future__ import annotations

import logging
from typing import Protocol

from twilio.http import HttpClient

from rris.phone.domain.toll_guard import number_tail
from rris.phone.integrations.twilio_rest import ErrorKinds, ProviderError, twilio_client, twilio_request
from rris.settings import Settings

log = logging.getLogger(__name__)

# The progress Twilio reports to the status webhook ("answered" arrives as CallStatus in-progress).
STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")


class VoiceError(ProviderError):
    """Twilio did not place or end the call."""


class VoicePermanentError(VoiceError):
    """Twilio refused the request (invalid number, call already over...); repeating it will not help."""


class VoiceTemporaryError(VoiceError):
    """Twilio could not be reached or asked us to slow down; trying later may work."""


class VoiceUncertain(VoiceError):
    """The request reached Twilio but no answer came back: the call may be ringing already."""


VOICE_ERRORS = ErrorKinds(permanent=VoicePermanentError, temporary=VoiceTemporaryError, uncertain=VoiceUncertain)


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
        self._client = twilio_client(settings.twilio_account_sid, settings.twilio_auth_token, http_client)

    def place_call(self, to: str, voice_url: str, status_url: str) -> str:
        """Ring `to` from the Twilio number; returns Twilio's CallSid."""
        tail = "…" + number_tail(to)
        with twilio_request(f"the call to {tail}", VOICE_ERRORS):
            call = self._client.calls.create(
                to=to,
                from_=self.from_number,
                url=voice_url,
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                status_callback_event=list(STATUS_CALLBACK_EVENTS),
            )
        log.info("call to %s handed to Twilio as %s", tail, call.sid)
        return str(call.sid)

    def hang_up(self, call_sid: str) -> None:
        """Ask Twilio to end the call (status "completed": ends it ringing or answered alike)."""
        with twilio_request(f"hanging up {call_sid}", VOICE_ERRORS):
            self._client.calls(call_sid).update(status="completed")
        log.info("call %s hung up through Twilio", call_sid)


def voice_from_settings(settings: Settings) -> Voice | None:
    """Twilio when its account, token and number are set; None (simulated legs) otherwise."""
    return TwilioVoice(settings) if settings.twilio_configured else None


def current_voice() -> Voice | None:
    """The voice provider of the running application (set by `rris.app.create_app`), or None."""
    from flask import current_app

    return current_app.extensions["rris.voice"]
