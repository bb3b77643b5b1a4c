"""Short free texts a person types (a reason, a name), checked the same way in every use case."""

from __future__ import annotations

from flask_babel import ngettext

from rris.common.domain.errors import InvalidInput


def too_long(max_chars: int) -> str:
    """What a person is told when a text is over `max_chars` characters."""
    return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", max_chars)


def required_text(text: str | None, field: str, missing: str, max_chars: int) -> str:
    """`text` without surrounding space; InvalidInput on `field` when it is empty (`missing`) or too long."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput({field: missing})
    if len(text) > max_chars:
        raise InvalidInput({field: too_long(max_chars)})
    return text
