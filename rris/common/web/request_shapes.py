"""Reading a request into the shape that describes it, or InvalidInput naming each bad field.

A JSON body is read strictly (a number is a number, never the text "2"); a form post or a query
string leniently, since every value arrives there as text, an empty one meaning "not given".
A body that is not a JSON object sent as JSON is refused as `body`: a 422, never a 500.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar, get_args, get_origin

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from werkzeug.datastructures import MultiDict

from rris.common.domain.errors import InvalidInput
from rris.common.services.request_shapes import Explained, RequestShape

Shape = TypeVar("Shape", bound=RequestShape)

BODY = "body"
_LISTS = (list, tuple, set, frozenset)


def json_body(shape: type[Shape]) -> Shape:
    """The request's JSON object as `shape`; InvalidInput naming each field it cannot accept."""
    if not request.is_json:
        raise InvalidInput({BODY: _body_message()})
    try:
        return shape.model_validate_json(request.get_data(), strict=True)
    except ValidationError as error:
        raise invalid_input(error, shape) from None


def form_values(shape: type[Shape], values: MultiDict[str, str]) -> Shape:
    """A form post or a query string as `shape`: empty values count as not given."""
    given: dict[str, Any] = {}
    for name, field in shape.model_fields.items():
        if _enum_or_list(field.annotation, _LISTS):
            given[name] = [value for value in values.getlist(name) if value != ""]
        elif values.get(name, "") != "":
            given[name] = values[name]
    try:
        return shape.model_validate(given)
    except ValidationError as error:
        raise invalid_input(error, shape) from None


def query_args(shape: type[Shape]) -> Shape:
    """The query string as `shape`."""
    return form_values(shape, request.args)


def invalid_input(error: ValidationError, shape: type[RequestShape]) -> InvalidInput:
    """One sentence per field pydantic refused (the first problem of each), through gettext."""
    problems: dict[str, str] = {}
    for item in error.errors(include_url=False):
        name = str(item["loc"][0]) if item["loc"] else BODY
        problems.setdefault(name, _reason(item, name, shape))
    return InvalidInput(problems)


def _body_message() -> str:
    return _("Send a JSON object with Content-Type application/json.")


def _reason(item: ErrorDetails, name: str, shape: type[RequestShape]) -> str:
    kind = item["type"]
    if name == BODY:
        return _body_message()
    if kind == "extra_forbidden":
        if name in getattr(shape, "set_by_rris", ()):
            return _("This field is set by RRIS, not by the caller.")
        return _("Unknown field.")
    field = shape.model_fields[name]
    if not kind.endswith(("_type", "_parsing")):
        for explained in (meta for meta in field.metadata if isinstance(meta, Explained)):
            said = explained.says(item)
            if said is not None:
                return said
    choices = _enum_or_list(field.annotation, (Enum,))
    if choices is not None and kind in ("enum", "missing"):
        return _("Choose one of: %(allowed)s.", allowed=", ".join(str(member.value) for member in choices))
    return _generic(item)


def _generic(item: ErrorDetails) -> str:
    kind, context = item["type"], item.get("ctx", {})
    if kind in ("missing", "string_pattern_mismatch") or (kind == "string_too_short" and context["min_length"] == 1):
        return _("Fill in this field.")
    if kind == "string_too_long":
        most = context["max_length"]
        return ngettext(
            "Use at most %(num)d character; this has %(length)d.",
            "Use at most %(num)d characters; this has %(length)d.",
            most,
            length=len(item["input"]),
        )
    if kind == "greater_than_equal":
        return _("Give a number of at least %(least)s.", least=context["ge"])
    if kind == "less_than_equal":
        return _("Give a number of at most %(most)s.", most=context["le"])
    sentences = {
        "int": _("Give a whole number."),
        "string": _("Give a text value."),
        "bool": _("Give true or false."),
        "list": _("Give a list."),
        "tuple": _("Give a list."),
    }
    return sentences.get(kind.split("_")[0], _("This value cannot be accepted."))


def _enum_or_list(annotation: Any, wanted: tuple[type, ...]) -> Any:
    """The first type among `annotation` and its arguments (Optional, Annotated, tuple[...])
    that is or derives from one of `wanted`, with list-like generics matched by their origin."""
    origin = get_origin(annotation)
    if origin in wanted:
        return origin
    if isinstance(annotation, type) and issubclass(annotation, wanted):
        return annotation
    for argument in get_args(annotation):
        found = _enum_or_list(argument, wanted)
        if found is not None:
            return found
    return None
