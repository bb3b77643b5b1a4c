"""Twilio's REST API as both adapters (SMS, voice) use it: one client setup, one rule for which
failures are worth retrying, and one translation of the SDK's errors into ours."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from requests import ReadTimeout, RequestException
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

log = logging.getLogger(__name__)

TWILIO_TIMEOUT_SECONDS = 15
TOO_MANY_REQUESTS = 429


class ProviderError(Exception):
    """Twilio did not do what was asked; `status` and `code` are Twilio's, when known."""

    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class ErrorKinds:
    """Which of an adapter's exceptions stands for each way a request can fail."""

    permanent: type[ProviderError]  # Twilio refused it: repeating it will not help
    temporary: type[ProviderError]  # unreachable, overloaded or rate-limited: later may work
    uncertain: type[ProviderError]  # sent, but no answer came: it may have happened


def twilio_client(account_sid: str, auth_token: str, http_client: HttpClient | None = None) -> Client:
    """The SDK's client; `http_client` is its transport seam (a recording one in tests)."""
    return Client(account_sid, auth_token, http_client=http_client or TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS))


@contextmanager
def twilio_request(what: str, kinds: ErrorKinds) -> Iterator[None]:
    """Run one REST request about `what` (never a full number), raising `kinds`' errors."""
    try:
        yield
    except (TwilioRestException, TwilioServiceException) as error:
        # Twilio's own message may name the full number, so only status and code go further.
        status, code = int(error.status or 0), error.code
        if status == TOO_MANY_REQUESTS or not 400 <= status < 500:
            log.warning("Twilio could not take %s now (HTTP %s, error %s)", what, status, code)
            raise kinds.temporary(
                f"Twilio could not take {what} now (HTTP {status}, error {code})", status, code
            ) from None
        log.warning("Twilio refused %s (HTTP %s, error %s)", what, status, code)
        raise kinds.permanent(f"Twilio refused {what} (HTTP {status}, error {code})", status, code) from None
    except ReadTimeout:
        log.warning("Twilio did not answer in time for %s; it may have happened", what)
        raise kinds.uncertain(f"Twilio did not answer in time for {what}") from None
    except (RequestException, OSError) as error:
        log.warning("Twilio unreachable for %s: %s", what, type(error).__name__)
        raise kinds.temporary(f"Twilio unreachable for {what}: {type(error).__name__}") from None
