"""The sentence a turned-away socket is told, in the person's language, for both live sockets."""

from __future__ import annotations

import logging

from rris.calls.services.socket_refusals import refusal_text
from signaling.records import CallRecorder

logger = logging.getLogger("signaling.refusals")


async def worded(
    recorder: CallRecorder, code: str, english: str, ticket_locale: str | None, accept_language: str | None
) -> str:
    """`refusal_text` for this refusal, worded in the node's core thread (the catalogues need the
    app); the English sentence if that fails, so a refusal is always told."""
    try:
        return await recorder.call(refusal_text, code, english, ticket_locale, accept_language)
    except Exception:
        logger.exception("could not word the refusal %s", code)
        return english
