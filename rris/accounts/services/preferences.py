"""A person's own preferences: the language RRIS speaks to them."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.common.domain.errors import InvalidInput
from rris.common.domain.locales import interface_locale, interface_locales
from rris.common.services.transactions import begin_write
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
