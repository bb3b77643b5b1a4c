"""An interpreter accepts or declines a ring from her live page, over its socket to the signalling node.

The node that commits the acceptance tells the pages connected to it at once, the officer's among
them, instead of on its next read (`signaling/presence.py`); on PostgreSQL the commit's notice
tells every other node. The rule is `accept_ring`'s, the same as the page's form post: the first
to accept wins, the others' rings stop. A decline is `decline_ring`'s, as the form's: she is not
rung for that request again, and the next interpreter is rung. Her account must still be an active
interpreter's, as signing in is for the form.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.calls.services.call_access import sides_in_call
from rris.common.domain.errors import Conflict, Forbidden
from rris.enums import CallRole, Role
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.services.answering import accept_ring, decline_ring
from rris.ondemand.services.live import CallStatus, call_page
from rris.pool.models.interpreters import InterpreterProfile


@dataclass(frozen=True)
class LiveAnswer:
    """What her page is told: the call page to open, or why the call is not hers (in her language);
    with an acceptance, the request's status now, for the officer's pages, and the side each of the
    two people takes in the call as the acceptance left its roster (user id -> side)."""

    call_url: str | None = None
    refusal: str | None = None
    call_id: int | None = None
    status: CallStatus | None = None
    booking_id: int | None = None
    sides: dict[int, CallRole] = field(default_factory=dict)


def accept_from_page(  # noqa: PLR0913 (the ring, who, when, the rules, her language, who follows)
    ring_id: int,
    interpreter_id: int,
    now: datetime,
    policy: OnDemandPolicy,
    locale: str,
    officer_ids: Collection[int] = (),
) -> LiveAnswer:
    """She accepts ring `ring_id` on her live page: the call page, or the refusal worded in `locale`.
    With the acceptance, the sides she and the officers `officer_ids` (whose pages follow the
    request) take in the call, read right after its commit."""
    with force_locale(locale):
        user = _active_interpreter(interpreter_id)
        if user is None:
            return LiveAnswer(refusal=_("Only the interpreter rung may answer this call."))
        try:
            call = accept_ring(ring_id, actor_of(user), now, policy)
        except (Conflict, Forbidden) as refused:
            return LiveAnswer(refusal=str(refused))
        url = call_page(call.booking_id)
        officers = list(db.session.scalars(select(User).where(User.id.in_(officer_ids)))) if officer_ids else []
        sides = sides_in_call(call.booking, [user, *officers])
        return LiveAnswer(
            call_url=url,
            call_id=call.id,
            status=CallStatus(call.state, None, None, url),
            booking_id=call.booking_id,
            sides=sides,
        )


def decline_from_page(
    ring_id: int, interpreter_id: int, now: datetime, policy: OnDemandPolicy, locale: str
) -> str | None:
    """She declines ring `ring_id` on her live page: None once declined, or why she cannot (worded
    in `locale`: the call was taken or ended meanwhile, or the ring is not hers)."""
    with force_locale(locale):
        user = _active_interpreter(interpreter_id)
        if user is None:
            return _("Only the interpreter rung may answer this call.")
        try:
            decline_ring(ring_id, actor_of(user), now, policy)
        except (Conflict, Forbidden) as refused:
            return str(refused)
        return None


def _active_interpreter(interpreter_id: int) -> User | None:
    """Her account, if it is still an active interpreter's (as signing in requires for the form)."""
    profile = db.session.get(InterpreterProfile, interpreter_id)
    user = None if profile is None else profile.user
    if user is None or not user.active or user.role is not Role.INTERPRETER:
        db.session.rollback()
        return None
    return user
