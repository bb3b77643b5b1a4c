"""An interpreter chooses the name the others see in calls (their first name until they do)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.calls.domain.call_names import CALL_NAME_MAX_CHARS, CallNameProblem, call_name_problem, tidy_call_name
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile

log = logging.getLogger(__name__)


def choose_call_name(user: User, raw: str | None, now: datetime) -> str | None:
    """Store the interpreter's call name; blank means their first name (stored as None).
    InvalidInput naming `call_name` when it is too long or holds control characters."""
    if user.interpreter_profile is None:
        raise Forbidden(_("Only interpreters choose a name for calls."))
    name = tidy_call_name(raw)
    problem = call_name_problem(name)
    if problem is CallNameProblem.TOO_LONG:
        message = _(
            "Use at most %(most)d characters; this name has %(count)d.", most=CALL_NAME_MAX_CHARS, count=len(name)
        )
        raise InvalidInput({"call_name": message})
    if problem is CallNameProblem.CONTROL_CHARACTER:
        raise InvalidInput({"call_name": _("Use letters, digits, spaces and punctuation only.")})
    profile_id = user.interpreter_profile.id
    begin_write()
    profile = db.session.scalars(select(InterpreterProfile).where(InterpreterProfile.id == profile_id)).one()
    profile.call_name = name or None
    db.session.commit()
    log.info("interpreter %s chose %s call name at %s", profile_id, "a" if name else "no", now.isoformat())
    return profile.call_name
