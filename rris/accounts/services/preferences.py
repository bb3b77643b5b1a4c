"""A person's own preferences: the language RRIS speaks to them, on pages and in messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_app_context, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.common.domain.errors import InvalidInput
from rris.common.domain.locales import formatting_locale, interface_locale, interface_locales, message_locale
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db

log = logging.getLogger(__name__)


def supported_locale(raw: str | None, field: str = "locale") -> str:
    """The identifier of the interface locale `raw` names, or InvalidInput naming `field`."""
    known = interface_locale(raw)
    if known is None:
        names = ", ".join(option.native_name for option in interface_locales())
        raise InvalidInput(
            {field: _("RRIS does not speak “%(chosen)s”. Choose one of: %(names)s.", chosen=raw or "", names=names)}
        )
    return known.identifier


def choose_interface_locale(user: User, raw: str | None, now: datetime) -> str | None:
    """Keep the language `user` reads RRIS in; empty means none chosen (the browser's languages
    decide). InvalidInput naming `locale` for a language RRIS does not speak."""
    chosen = supported_locale(raw) if raw else None
    user_id = user.id
    begin_write()
    stored = db.session.scalars(select(User).where(User.id == user_id)).one()
    stored.locale = chosen
    db.session.commit()
    log.info("user %s chose the interface locale %s at %s", user_id, chosen or "(browser's)", now.isoformat())
    return chosen


@dataclass(frozen=True)
class Reader:
    """How a message to one person reads: the locale of its words and the locale of its dates
    and numbers (Serbian Latin words with Montenegro's formats: "sr_Latn", "sr_Latn_ME")."""

    language: str
    formats: str

    @property
    def tag(self) -> str:
        """The BCP 47 tag of its language, as Content-Language and iCalendar's LANGUAGE name it ("sr-Cyrl")."""
        known = interface_locale(self.language)
        return known.tag if known else self.language


def office_country(user: User) -> str | None:
    """The ISO code of the country whose office `user` works for (a caseworker's department's, a
    focal point's own), or None for interpreters and people of no country's office."""
    if user.role is Role.INTERPRETER:
        return None
    place = user.department.country if user.department is not None else user.country
    return place.code if place is not None else None


def reader_of(user: User) -> Reader:
    """The language and formats a message to `user` is written in (`rris.common.domain.locales.message_locale`)."""
    office = office_country(user)
    language = message_locale(user.locale, office)
    return Reader(language=language, formats=formatting_locale(language, office))


@contextmanager
def writing_to(user: User) -> Iterator[Reader]:
    """Word a message for `user`: gettext speaks their language inside, and dates and numbers
    take their country's formats (`formats_country`), whoever caused the message."""
    reader = reader_of(user)
    readers: list[str | None] = g.setdefault("rris_readers_countries", [])
    readers.append(office_country(user))
    try:
        with force_locale(reader.language):
            yield reader
    finally:
        readers.pop()


def formats_country() -> str | None:
    """The country whose formats the current reader uses: that of the person a message is being
    written to (inside `writing_to`), else that of the signed-in viewer of a page, else none."""
    readers: list[str | None] = g.get("rris_readers_countries", []) if has_app_context() else []
    if readers:
        return readers[-1]
    if has_request_context() and current_user.is_authenticated:
        return office_country(current_user)
    return None
