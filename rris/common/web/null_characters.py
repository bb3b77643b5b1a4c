"""Text with the NUL character (U+0000) is refused before any view reads it.

PostgreSQL cannot store U+0000 in text, nor compare text with it: such a value in a query, a
form or a JSON body reached the database and failed there as a 500. No person types it, so the
request is refused, naming the field, in the form the client wants.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _

from rris.common.domain.errors import InvalidInput

NUL = "\x00"


def install_null_character_check(app: Flask) -> None:
    """Refuse, on every request, text that holds U+0000."""
    app.before_request(refuse_null_characters)


def refuse_null_characters() -> None:
    """InvalidInput naming each query, form or JSON field whose name or text holds U+0000."""
    fields = [name for name, value in _given(request) if NUL in name or NUL in value]
    if fields:
        message = _("Remove the invisible NUL character (U+0000) from this value.")
        raise InvalidInput({name.replace(NUL, ""): message for name in fields})


def _given(current: Any) -> Iterator[tuple[str, str]]:
    yield from current.args.items(multi=True)
    if current.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from current.form.items(multi=True)
    if current.is_json:
        body = current.get_json(silent=True)
        if isinstance(body, dict):
            for name, value in body.items():
                yield str(name), NUL if _holds_nul(value) else ""


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in str(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False
