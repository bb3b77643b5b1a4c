"""An interpreter agrees to be called on her phone for on-demand requests nobody answered in time
(the telephone escalation), or stops. Only with a verified number RRIS may call."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from rris.accounts.models.accounts import User
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.extensions import db
from rris.ondemand.models.ondemand import InterpreterPresence
from rris.ondemand.services.dispatch import lock_on_demand
from rris.phone.services.phone_legs import dial_out_option

ON_CALL_FIELD = "phone_on_call"


def set_phone_on_call(user: User, on_call: bool, now: datetime) -> None:
    """Put the interpreter on call by phone, or take her off. InvalidInput (naming the field)
    without a verified number in a country RRIS may call; Forbidden for anyone but an interpreter."""
    profile = user.interpreter_profile
    if profile is None:
        raise Forbidden(_("Only interpreters can be called for calls that cannot wait."))
    if on_call:
        option = dial_out_option(user)
        if not option.available:
            raise InvalidInput({ON_CALL_FIELD: option.reason})
    interpreter_id = profile.id
    lock_on_demand()
    presence = db.session.get(InterpreterPresence, interpreter_id, populate_existing=True)
    if presence is None:
        presence = InterpreterPresence(interpreter_id=interpreter_id, available=False, changed_at=now)
        db.session.add(presence)
    presence.phone_on_call = on_call
    db.session.commit()
