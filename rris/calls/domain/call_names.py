"""The name an interpreter goes by in a call.

An interpreter of a small community can be recognised by their full name on the screen of an
interview room, so in a call they appear by their role and a name they choose: their first name
unless they chose another. Full names stay on the portal's pages for officers and coordinators.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

CALL_NAME_MAX_CHARS = 40
# Bidirectional embeddings, overrides and isolates: they can make a name read as another one.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class CallNameProblem(StrEnum):
    """Why a chosen call name is refused."""

    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"


def tidy_call_name(raw: str | None) -> str:
    """The name as typed with runs of spaces (tabs, line breaks) made one space; "" for none."""
    return " ".join((raw or "").split())


def call_name_problem(name: str) -> CallNameProblem | None:
    """What is wrong with a tidied call name, or None; "" is fine (it means the first name)."""
    if len(name) > CALL_NAME_MAX_CHARS:
        return CallNameProblem.TOO_LONG
    if any(unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS for character in name):
        return CallNameProblem.CONTROL_CHARACTER
    return None


def first_name(full_name: str) -> str:
    """The first word of a full name ("Mariam Ahmadzai" -> "Mariam"), at most CALL_NAME_MAX_CHARS."""
    words = full_name.split()
    return (words[0] if words else full_name.strip())[:CALL_NAME_MAX_CHARS]


def call_name(full_name: str, chosen: str | None) -> str:
    """The name shown in the call: the chosen one, else the first name."""
    return tidy_call_name(chosen)[:CALL_NAME_MAX_CHARS] or first_name(full_name) or "?"
