"""The applicant's notice texts, one file per language in `rris/bookings/notices/<code>.txt`.

The files are part of the package and never change while a process runs: read and checked
once, on first use. A file that breaks the format stops that first use with the file named,
rather than showing an applicant a notice with a point missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType

from rris.bookings.domain.applicant_notice import Notice, parse_notice

NOTICE_FOLDER = "notices"
NOTICE_SUFFIX = ".txt"


@cache
def translated_notices() -> Mapping[str, Notice]:
    """Every translated notice by its ISO 639-3 code (the English source lives in gettext)."""
    found: dict[str, Notice] = {}
    for entry in (files("rris.bookings") / NOTICE_FOLDER).iterdir():
        if entry.name.endswith(NOTICE_SUFFIX):
            language = entry.name.removesuffix(NOTICE_SUFFIX)
            found[language] = parse_notice(language, entry.read_text(encoding="utf-8"))
    return MappingProxyType(dict(sorted(found.items())))
