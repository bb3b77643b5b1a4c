"""How a conflict's reason reads: the matching engine's rejection, stored and worded again.

A conflict is stored as its reason's code and the rejection's values (`BookingConflict.reason`,
`.params`, JSON: dates and instants as ISO 8601 strings, counts as integers), never as a
sentence, and worded when shown by the engine's one wording module
(`rris.matching.services.wording`): in the viewer's language on a page, in the recipient's in a
message, in the request's in the API.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from rris.common.domain.formats import LocaleLike, as_locale
from rris.matching.domain.rules import ReasonValue, Rejection, RejectionReason
from rris.matching.models.conflicts import BookingConflict
from rris.matching.services.wording import rejection_text

StoredValue = str | int

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def stored_params(rejection: Rejection) -> dict[str, StoredValue]:
    """A rejection's values as a conflict stores them (JSON: dates and instants in ISO 8601)."""
    return {
        name: value.isoformat() if isinstance(value, date | datetime) else value for name, value in rejection.params
    }


def _value(stored: StoredValue) -> ReasonValue:
    if isinstance(stored, str) and _INSTANT.fullmatch(stored):
        return datetime.fromisoformat(stored)
    if isinstance(stored, str) and _DAY.fullmatch(stored):
        return date.fromisoformat(stored)
    return stored


def stored_rejection(conflict: BookingConflict) -> Rejection:
    """The rejection a conflict was recorded for, its values as the engine gave them."""
    params = tuple((name, _value(value)) for name, value in (conflict.params or {}).items())
    return Rejection(RejectionReason(conflict.reason), params)


def conflict_text(conflict: BookingConflict, locale: LocaleLike | None = None) -> str:
    """A recorded conflict's reason in the current language, dates in `locale` (default: the
    current formatting locale); a pre-code conflict's unreadable English sentence as it is."""
    if conflict.legacy_detail is not None:
        return conflict.legacy_detail
    return rejection_text(stored_rejection(conflict), None if locale is None else as_locale(locale))
