"""What a page the signalling service turns away is told, in the person's language.

Both live sockets, a call page's `/calls/ws` and an on-demand page's `/ondemand/ws`, answer a
refused connection with a short code (for the page's script) and a sentence (for the person).
The codes and their English sentences stay in the ticket rules and the protocol (logs and tests
read them); `refusal_text` words the sentence for the person: in the ticket's locale when the
ticket could be read, else in the best of the shipped locales the browser's Accept-Language
(from the WebSocket's opening request) asks for, else in English. A code without a sentence here
(a malformed frame: the page's script is at fault, not the person) keeps its English one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from rris.calls.domain.call_tickets import OPENS_BEFORE_START
from rris.common.domain.locales import SOURCE_LOCALE, best_accepted, interface_locale

_MALFORMED = _l("This connection ticket is damaged or incomplete. Please reload the page.")
_NOT_OURS = _l("This connection ticket was not issued by RRIS. Please reload the page.")
_WRONG_CHANNEL = _l("This ticket is not meant for this kind of connection. Please reload the page.")
_EXPIRED = _l("This connection ticket has expired. Please reload the page.")
_SILENT_START = _l("The page did not introduce itself in time, so the connection was closed. Please reload the page.")
_WRONG_START = _l("The page opened the connection in the wrong way. Please reload the page.")

# By code: /calls/ws prefixes the ticket's reasons with "ticket_"; /ondemand/ws does not.
_SENTENCES = {
    # /calls/ws, a call page joining its call
    "join_timeout": _SILENT_START,
    "join_first": _WRONG_START,
    "ticket_malformed": _MALFORMED,
    "ticket_bad_signature": _NOT_OURS,
    "ticket_wrong_channel": _WRONG_CHANNEL,
    "ticket_expired": _EXPIRED,
    "ticket_used": _l("You left this call. To join it again, open the session page again."),
    "room_full": _l("This call already has as many participants as it can take."),
    "removed": _l("You no longer take part in this session."),
    "call_cancelled": _l("The session was cancelled."),
    "try_again": _l("Your place in the call cannot be checked just now. Please try again in a moment."),
    # /ondemand/ws, a live page of "an interpreter now"
    "hello_timeout": _SILENT_START,
    "hello_first": _WRONG_START,
    "malformed": _MALFORMED,
    "bad_signature": _NOT_OURS,
    "wrong_channel": _WRONG_CHANNEL,
    "expired": _EXPIRED,
    "too_early": _l("This connection ticket is not valid yet. Please check that the computer's clock is right."),
}


def _call_not_open() -> str:
    minutes = OPENS_BEFORE_START // timedelta(minutes=1)
    return ngettext(
        "The call is not open yet: it opens %(num)d minute before the session starts.",
        "The call is not open yet: it opens %(num)d minutes before the session starts.",
        minutes,
    )


# Sentences that are worded when told (a count in them)
_WORDED: dict[str, Callable[[], str]] = {"ticket_too_early": _call_not_open}


def refusal_locale(ticket_locale: str | None, accept_language: str | None) -> str:
    """The locale a turned-away page is told why in: the ticket's (when it could be read), else the
    shipped locale the browser's Accept-Language header prefers, else English."""
    if (chosen := interface_locale(ticket_locale)) is not None:
        return chosen.identifier
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    return best_accepted(accepted) or SOURCE_LOCALE


def refusal_text(code: str, english: str, ticket_locale: str | None, accept_language: str | None) -> str:
    """The sentence a page refused with `code` is told, in the person's language (`refusal_locale`);
    `english` when RRIS has no sentence of its own for the code. Needs an app context."""
    sentence = _SENTENCES.get(code)
    worded = _WORDED.get(code)
    if sentence is None and worded is None:
        return english
    with force_locale(refusal_locale(ticket_locale, accept_language)):
        return worded() if worded is not None else str(sentence)
