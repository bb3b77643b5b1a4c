"""The request's JSON body: one object, read in one place, its fields checked by type.

Every API view that reads a body starts here, so a body that is not an object (`[null]`, `1`,
`"x"`, `true`), or no JSON at all, is a 422 problem naming the body, never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from rris.common.domain.errors import InvalidInput
from rris.common.web.ids import is_record_id


def json_object() -> dict[str, Any]:
    """The body as a dict; InvalidInput naming `body` unless it is a JSON object sent as JSON."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidInput({"body": _("Send a JSON object with Content-Type application/json.")})
    return payload


def text(payload: dict[str, Any], name: str) -> str:
    """A text field ('' when absent); InvalidInput naming the field for any other type."""
    value = payload.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput({name: _("Give a text value.")})
    return value


def record_id(payload: dict[str, Any], name: str, message: str) -> int:
    """A field holding a record's id; InvalidInput with `message` for anything else."""
    value = payload.get(name)
    if not is_record_id(value):
        raise InvalidInput({name: message})
    return value
