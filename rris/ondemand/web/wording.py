"""The sentences the live on-demand pages' scripts show, in the page's language (static/js/strings.js
reads them). Placeholders in braces ({summary}, {count}...) are filled in by the scripts and stay
as they are in translations."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from rris.common.web.page_locale import plural_forms
from rris.ondemand.services.live import CallStatus


def _connection_strings() -> dict[str, Any]:
    return {
        "connecting": _("Connecting to the call service…"),
        "reconnecting": _("The connection to the call service dropped; reconnecting…"),
        "refused": _("The call service did not accept this page: {message}"),
    }


def available_strings() -> dict[str, Any]:
    """The interpreter's "Available now" page."""
    return {
        **_connection_strings(),
        "reachable": _("You are available now: calls in your languages ring on this page."),
        "not_available": _("You are not available now: no call rings for you."),
        "switch_on": _("Become available now"),
        "switch_off": _("Stop being available"),
        "unreachable": _(
            "You switched “available now” on, but this page is not connected, so calls cannot reach you. Reconnecting…"
        ),
        "ringing_title": _("A call is ringing"),
        "ring_left": plural_forms("{count} second left to answer.", "{count} seconds left to answer."),
        "ring_lapsed": _("The time to answer has run out."),
        "ended_accepted": _("You accepted this call."),
        "ended_declined": _("You declined this call."),
        "ended_missed": _("The call was not answered in time and went to the next interpreter."),
        "ended_stopped": _("Another interpreter answered the call, or the officer gave up."),
        "sound_on": _("The ring sound is on."),
        "sound_blocked": _("Your browser held back the ring sound: press “Turn on the ring sound”."),
        "notifications_on": _("Your browser will also show a notification when a call rings."),
        "notifications_denied": _(
            "Your browser blocks notifications from RRIS; allow them in its site settings to be told when "
            "this page is in the background."
        ),
        "notifications_unsupported": _("This browser cannot show notifications; keep this page in view."),
    }


def now_strings() -> dict[str, Any]:
    """The officer's page following a request."""
    return {
        **_connection_strings(),
        "state_waiting": _("Waiting in the queue: every suitable interpreter is busy."),
        "state_ringing": _("Ringing: the best suitable interpreters are being called now."),
        "state_answered": _("An interpreter answered. Opening the call…"),
        "state_connected": _("The call is connected. Opening the call…"),
        "state_ended": _("The call has ended."),
        "state_abandoned": _("You gave up waiting for this request."),
        "position": _("Your place in the queue: {position}."),
        "wait_unknown": _("Expected wait: unknown (no recent calls in these languages to go by)."),
        "wait_under_minute": _("Expected wait: under a minute."),
        "wait_minutes": plural_forms("Expected wait: about {count} minute.", "Expected wait: about {count} minutes."),
        "polling": _("The live connection is down; this page checks the request every few seconds meanwhile."),
    }


def status_sentences(status: CallStatus) -> list[str]:
    """What the status page says before its script takes over (and without one): the sentences the
    script writes for the same status frame (static/js/ondemand-live.js `statusSentences`)."""
    strings = now_strings()
    sentences = [strings[f"state_{status.state.value}"]]
    if status.position is not None:
        sentences.append(strings["position"].replace("{position}", str(status.position)))
        sentences.append(wait_sentence(status.expected_wait_seconds))
    return sentences


def wait_sentence(seconds: int | None) -> str:
    """The expected wait as the status page says it: unknown, under a minute, or about N minutes."""
    strings = now_strings()
    if seconds is None:
        return str(strings["wait_unknown"])
    minutes = round(seconds / 60)
    if minutes < 1:
        return str(strings["wait_under_minute"])
    sentence = ngettext("Expected wait: about {count} minute.", "Expected wait: about {count} minutes.", minutes)
    return sentence.replace("{count}", str(minutes))
