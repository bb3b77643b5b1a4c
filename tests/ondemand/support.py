"""Setting up on-demand calls in tests: interpreters available now, officers asking, rings answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from rris.access.domain.permissions import Actor
from rris.access.queries.actors import actor_of
from rris.bookings.services.applicant_keys import key_ring
from rris.context import current_settings
from rris.enums import Gender
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.models.ondemand import OnDemandRing
from rris.ondemand.services.answering import accept_ring
from rris.ondemand.services.presence import set_available
from rris.ondemand.services.requests import NowAnswer, NowRequest, request_now
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories

POLICY = OnDemandPolicy(
    heartbeat_seconds=10, rings_at_once=3, ring_seconds=30, max_minutes=60, wait_sample=20, join_minutes=3
)
PASHTO_SERBIAN = NowRequest(applicant_language="pus", officer_language="srp", case_reference="RS-NOW-1")


def available_interpreter(now: datetime, gender: Gender = Gender.FEMALE, **fields: object) -> InterpreterProfile:
    """A Pashto-Serbian interpreter, accredited for Serbia, who switched "available now" on at `now`."""
    profile = factories.interpreter(gender=gender, pairs=(("pus", "srp"),), **fields)
    db.session.commit()
    set_available(profile.id, True, now, POLICY)
    return profile


def ask(officer: Actor, now: datetime, wanted: NowRequest = PASHTO_SERBIAN, wait: bool = False) -> NowAnswer:
    """The officer asks for an interpreter now."""
    return request_now(wanted, officer, now, POLICY, key_ring(current_settings()), wait=wait)


def live_ring_of(interpreter_id: int) -> OnDemandRing | None:
    """The ring on the interpreter's page now, if any."""
    statement = select(OnDemandRing).where(
        OnDemandRing.interpreter_id == interpreter_id, OnDemandRing.ended_at.is_(None)
    )
    return db.session.scalar(statement.execution_options(populate_existing=True))


def answer(profile: InterpreterProfile, now: datetime) -> int:
    """The interpreter accepts whatever rings on her page; the call's id."""
    ring = live_ring_of(profile.id)
    assert ring is not None, f"interpreter {profile.id} is not rung"
    return accept_ring(ring.id, actor_of(profile.user), now, POLICY).id
