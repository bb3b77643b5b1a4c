"""A January of on-demand calls made through the real services, for the report tests.

Monday 12 January 2026 from 08:00 UTC (12:30 in Kabul, inside the interpreters' hours), a Belgrade
caseworker asks for Pashto four times:

- A: Mariam answers after 4 s, both are connected, she is hung up 20 min after answering.
- B: Mariam is busy; Nadia answers after 12 s; connected; ended 10 min after answering.
- C: both are busy; the request waits and the officer gives up 2 min later (abandoned).
- D: Mariam answers after 30 s but the call never connects: hung up 30 s later (technical failure).

So: 4 requests, 3 answered, 1 abandoned (rate 1/4); speed of answer 4, 12 and 30 s (p50 12 s,
p90 12 + 0.8 × 18 = 26.4 s); 2 delivered, billed by their booked time (no call summary), answer
to hang-up: 1,200 + 600 s, 30 minutes, all Serbia's, Pashto. At 35.00 EUR an hour Mariam bills
11.67 and Nadia 5.83.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from rris.access.domain.permissions import Actor
from rris.access.queries.actors import actor_of
from rris.extensions import db
from rris.ondemand.domain.states import Answer
from rris.ondemand.services.answering import hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat
from rris.ondemand.services.requests import abandon
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY, answer, ask, available_interpreter

T0 = DEFAULT_NOW
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
ON_DEMAND_SECONDS = 1200 + 600
ON_DEMAND_COST = Decimal("11.67") + Decimal("5.83")


@dataclass(frozen=True)
class OnDemandMonth:
    officer: Actor
    mariam: InterpreterProfile
    nadia: InterpreterProfile
    call_ids: dict[str, int]


def _beat(profiles: tuple[InterpreterProfile, ...], at: datetime) -> None:
    for profile in profiles:
        assert heartbeat(profile.id, at, POLICY)


def on_demand_january(country_code: str = "RS") -> OnDemandMonth:
    """The four calls above, by the real services on a moved clock."""
    officer = actor_of(factories.caseworker(country_code))
    db.session.commit()
    mariam = available_interpreter(T0, name="Mariam Ahmadzai")
    nadia = available_interpreter(T0, name="Nadia Karimi")
    both = (mariam, nadia)
    calls: dict[str, int] = {}

    assert ask(officer, T0).answer is Answer.RINGING
    calls["A"] = answer(mariam, T0 + 4 * SECOND)
    mark_connected(calls["A"], T0 + 10 * SECOND)

    _beat(both, T0 + 30 * SECOND)
    assert ask(officer, T0 + 30 * SECOND).answer is Answer.RINGING
    calls["B"] = answer(nadia, T0 + 42 * SECOND)
    mark_connected(calls["B"], T0 + 50 * SECOND)

    _beat(both, T0 + MINUTE)
    waiting = ask(officer, T0 + MINUTE, wait=True)
    assert waiting.answer is Answer.QUEUED and waiting.call_id is not None
    calls["C"] = waiting.call_id
    abandon(calls["C"], officer, T0 + 3 * MINUTE, POLICY)

    hang_up(calls["B"], actor_of(nadia.user), T0 + 42 * SECOND + 10 * MINUTE, POLICY)
    hang_up(calls["A"], officer, T0 + 4 * SECOND + 20 * MINUTE, POLICY)

    _beat(both, T0 + 25 * MINUTE)
    assert ask(officer, T0 + 25 * MINUTE).answer is Answer.RINGING
    calls["D"] = answer(mariam, T0 + 25 * MINUTE + 30 * SECOND)
    hang_up(calls["D"], officer, T0 + 26 * MINUTE, POLICY)
    return OnDemandMonth(officer, mariam, nadia, calls)
