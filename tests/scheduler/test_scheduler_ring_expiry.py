"""The scheduler's on-demand upkeep: every two seconds, rings nobody answered in time end as missed
and the request rings the next interpreter."""

from __future__ import annotations

from datetime import timedelta

from rris.access.queries.actors import actor_of
from rris.extensions import db
from rris.ondemand.domain.states import Answer, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.services.presence import heartbeat
from scheduler.jobs import expire_rings
from scheduler.runner import JOBS
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY, ask, available_interpreter, live_ring_of


def test_the_job_runs_every_two_seconds():
    [job] = [job for job in JOBS if job.function is expire_rings]
    assert job.every_seconds == 2


def test_the_job_ends_unanswered_rings_and_rings_the_next_interpreter(app, ctx, clock):
    officer = actor_of(factories.caseworker("RS"))
    db.session.commit()
    first = [available_interpreter(DEFAULT_NOW) for _ in range(POLICY.rings_at_once)]
    heard = ask(officer, DEFAULT_NOW)
    assert heard.answer is Answer.RINGING
    later = available_interpreter(DEFAULT_NOW + timedelta(seconds=1))  # free, but the request rings enough already
    assert live_ring_of(later.id) is None

    for profile in [*first, later]:  # all their pages still beat: only the time to answer runs out
        assert heartbeat(profile.id, DEFAULT_NOW + timedelta(seconds=15), POLICY)
    clock.set(DEFAULT_NOW + timedelta(seconds=POLICY.ring_seconds - 1))
    expire_rings()
    assert all(live_ring_of(p.id) is not None for p in first)

    clock.set(DEFAULT_NOW + timedelta(seconds=POLICY.ring_seconds))
    expire_rings()
    call = db.session.get_one(OnDemandCall, heard.call_id, populate_existing=True)
    outcomes = {ring.interpreter_id: ring.outcome for ring in call.rings}
    assert outcomes == {**{p.id: RingOutcome.MISSED for p in first}, later.id: None}
    assert live_ring_of(later.id).call_id == call.id
