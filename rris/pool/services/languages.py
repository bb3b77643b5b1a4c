"""The language catalogue: every living ISO 639-3 language, names from pycountry."""

from __future__ import annotations

from typing import Annotated, TypedDict

import pycountry
from flask import current_app
from flask_babel import gettext as _
from pydantic import Field, StringConstraints
from sqlalchemy import insert, select, update

from rris.common.services.request_shapes import RequestShape, always
from rris.extensions import db
from rris.pool.models.languages import Language

_LIVING = "L"
_SCOPES = ("I", "M")  # individual languages and macrolanguages (Arabic, Persian, Pashto...)


class LanguageRow(TypedDict):
    """A row of the `languages` table."""

    code: str
    name: str
    alpha_2: str | None
    scope: str


def iso_languages() -> list[LanguageRow]:
    """Living ISO 639-3 individual and macro languages as rows for the `languages` table."""
    rows: list[LanguageRow] = []
    for entry in pycountry.languages:
        if getattr(entry, "type", None) != _LIVING or getattr(entry, "scope", None) not in _SCOPES:
            continue
        rows.append(
            {
                "code": entry.alpha_3,
                "name": entry.name,
                "alpha_2": getattr(entry, "alpha_2", None),
                "scope": entry.scope,
            }
        )
    return rows


def sync_languages() -> int:
    """Insert languages the catalogue lacks and refresh changed names; return how many changed."""
    current_app.extensions.pop("rris.language_catalogue", None)  # names shown from now on may change
    # Rows, not objects, and bulk statements: a new database takes 7,000 languages at once.
    held = {
        code: (name, alpha_2, scope)
        for code, name, alpha_2, scope in db.session.execute(
            select(Language.code, Language.name, Language.alpha_2, Language.scope)
        )
    }
    missing: list[LanguageRow] = []
    renamed: list[LanguageRow] = []
    for row in iso_languages():
        known = held.get(row["code"])
        if known is None:
            missing.append(row)
        elif known != (row["name"], row["alpha_2"], row["scope"]):
            renamed.append(row)
    if missing:
        db.session.execute(insert(Language), missing)
    if renamed:
        db.session.execute(update(Language), renamed)  # by primary key, one row each
    db.session.commit()
    return len(missing) + len(renamed)


class LanguageSearch(RequestShape):
    """A search of the catalogue by code or name."""

    q: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=2, pattern="\\S[\\s\\S]*\\S"),
        Field(description="At least two characters besides white space at either end"),
        always(lambda: _("Give at least two letters of a language name or code.")),
    ]
