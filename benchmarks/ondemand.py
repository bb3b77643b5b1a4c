"""An interpreter now (issue 17): request to first ring under a stream of calls, on each backend.

A tenth of the generated pool (200 of 2,000) switches "available now" on and keeps beating. Then
requests arrive, one every `gap_seconds` on average (seeded exponential gaps), from caseworkers of
the departments their interpreters are accredited for, in the pairs those interpreters work: so
rings go out, interpreters accept (most), decline or let the ring lapse, calls connect and hang up
minutes later, the upkeep job expires rings every few seconds, and requests queue when everyone
suitable is busy (some give up). Time is simulated: every event runs at its own instant, one after
another, each as its own unit of work (a fresh session, as an HTTP request or a job would have),
and the wall time of the service call is what is measured.

- ondemand_ring: `request_now` to its first `OnDemandRing`, for requests rung on arrival (the
  ring is committed when the call returns); aim p50 under 300 ms.
- ondemand_queued_ring: for requests that waited, the service call that freed an interpreter
  (a hang-up, a decline, a lapse) until their first ring exists.
- ondemand_heartbeat, ondemand_upkeep: one page's beat; one pass of `expire_rings`.
The connection half (accept to both connected) is `benchmarks/ondemand_connect.py`; request to
first ring as the interpreter's live page receives it, `benchmarks/ondemand_live.py`.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter

from flask import Flask
from sqlalchemy import select

from benchmarks.catalogue import BENCH_NOW, OFFICER_LANGUAGES, RELAY_LANGUAGE
from benchmarks.ondemand_connect import run_ondemand_connect
from benchmarks.ondemand_live import run_ondemand_live
from benchmarks.report import Reporter
from rris.access.domain.permissions import Actor
from rris.accounts.models.accounts import User
from rris.bookings.domain.applicant_keys import KeyRing
from rris.bookings.services.applicant_keys import key_ring
from rris.common.domain.errors import Conflict
from rris.enums import Role
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import OPEN_STATES, Answer
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import accept_ring, decline_ring, expire_rings, hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat, set_available
from rris.ondemand.services.requests import NowRequest, abandon, request_now
from rris.pool.models.interpreters import Accreditation, InterpreterProfile, LanguagePair

OFFICER_SIDE = frozenset({*OFFICER_LANGUAGES, RELAY_LANGUAGE})
UPKEEP_SECONDS = 5  # how often the scheduler's upkeep job expires rings
CONNECT_SECONDS = 3  # answer to both in the call, as the signalling service reports it
DECLINE_CHANCE, LAPSE_CHANCE = 0.08, 0.04  # the rest accept
ANSWER_SECONDS = (2.0, 12.0)
CALL_SECONDS = (60.0, 240.0)
PATIENCE_SECONDS = (60.0, 300.0)
PERIODIC = frozenset({"beat", "upkeep"})


@dataclass(frozen=True)
class OnDemandPlan:
    """How many of the pool are available, how many requests arrive and how often, how many connections."""

    available_share: float
    requests: int
    warmups: int
    gap_seconds: float
    connects: int
    live_rings: int


FULL_ONDEMAND = OnDemandPlan(available_share=0.1, requests=300, warmups=10, gap_seconds=1.0, connects=20, live_rings=40)
QUICK_ONDEMAND = OnDemandPlan(available_share=0.1, requests=30, warmups=2, gap_seconds=3.0, connects=3, live_rings=5)


@dataclass(frozen=True)
class Caller:
    """A request someone in the pool could take: the pair, and an officer of a country she serves."""

    wanted: NowRequest
    officer: Actor


@dataclass(frozen=True)
class World:
    """The available interpreters (as actors) and the requests that will be made of them."""

    interpreters: dict[int, Actor]
    callers: list[Caller]


@dataclass(order=True)
class Event:
    """Something that happens at `at`: (kind, subject) says what, to which request, ring or call."""

    at: datetime
    seq: int
    kind: str = field(compare=False)
    subject: int = field(compare=False, default=0)


@dataclass
class Tally:
    """What the run measured (milliseconds) and counted."""

    rung_on_arrival: list[float] = field(default_factory=list)
    queued_ring: list[float] = field(default_factory=list)
    heartbeats: list[float] = field(default_factory=list)
    upkeep: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    longest_queue: int = 0

    def count(self, what: str) -> None:
        """One more of `what`."""
        self.counts[what] = self.counts.get(what, 0) + 1


def build_world(rng: random.Random, plan: OnDemandPlan, pool_size: int) -> World:
    """Choose a seeded share of the generated pool (`pool_size` interpreters; the benchmarks before
    may have added a few) and draw the requests they will meet."""
    ids = sorted(db.session.scalars(select(InterpreterProfile.id)))
    chosen = sorted(rng.sample(ids, max(1, round(pool_size * plan.available_share))))
    profiles = db.session.scalars(select(InterpreterProfile).where(InterpreterProfile.id.in_(chosen))).all()
    interpreters = {profile.id: _actor(profile.user) for profile in profiles}
    pairs = _by_interpreter(select(LanguagePair.interpreter_id, LanguagePair.language_a, LanguagePair.language_b))
    countries = _by_interpreter(select(Accreditation.interpreter_id, Accreditation.country_id))
    officers: dict[int, list[Actor]] = {}
    for user in db.session.scalars(select(User).where(User.role == Role.CASEWORKER, User.active.is_(True))):
        officers.setdefault(user.department_id or 0, []).append(_actor(user))
    callers: list[Caller] = []
    while len(callers) < plan.requests:
        someone = rng.choice(chosen)
        usable = [pair for pair in pairs.get(someone, []) if len(OFFICER_SIDE & set(pair)) == 1]
        offices = [country for (country,) in countries.get(someone, []) if officers.get(country)]
        if not usable or not offices:
            continue
        pair = rng.choice(usable)
        officer_language = next(code for code in pair if code in OFFICER_SIDE)
        applicant_language = next(code for code in pair if code != officer_language)
        officer = rng.choice(officers[rng.choice(offices)])  # department ids are the country ids
        wanted = NowRequest(applicant_language, officer_language, f"NOW-{len(callers):05d}")
        callers.append(Caller(wanted, officer))
    return World(interpreters, callers)


def _by_interpreter(statement: object) -> dict[int, list[tuple[object, ...]]]:
    rows: dict[int, list[tuple[object, ...]]] = {}
    for interpreter_id, *rest in db.session.execute(statement):  # type: ignore[call-overload]
        rows.setdefault(interpreter_id, []).append(tuple(rest))
    return rows


def _actor(user: User) -> Actor:
    profile = user.interpreter_profile
    return Actor(
        user_id=user.id,
        role=user.role,
        department_id=user.department_id,
        country_id=user.home_country_id,
        interpreter_id=profile.id if profile is not None else None,
    )


class Simulation:
    """The stream of requests and answers, event by event in simulated time."""

    def __init__(self, world: World, policy: OnDemandPolicy, keys: KeyRing, rng: random.Random) -> None:
        self.world, self.policy, self.keys, self.rng = world, policy, keys, rng
        self.events: list[Event] = []
        self.seq = itertools.count()
        self.pending = 0  # events other than the periodic beats and upkeep
        self.warmups = 0
        self.known_rings: set[int] = set()
        self.waiting: set[int] = set()  # requests queued on arrival, not yet rung
        self.officers: dict[int, Actor] = {}  # who made each stored request
        self.tally = Tally()
        self.handlers: dict[str, Callable[[Event], float]] = {
            "arrive": self._arrive,
            "accept": self._accept,
            "decline": self._decline,
            "connect": self._connect,
            "hang_up": self._hang_up,
            "give_up": self._give_up,
            "beat": self._beat,
            "upkeep": self._upkeep,
        }

    def run(self, start: datetime, gap_seconds: float, warmups: int) -> datetime:
        """Run every event; the instant the last one happened."""
        self.warmups = warmups
        at = start
        for index in range(len(self.world.callers)):
            at += timedelta(seconds=self.rng.expovariate(1 / gap_seconds))
            self._schedule(at, "arrive", index)
        self._schedule(start, "beat", periodic=True)
        self._schedule(start, "upkeep", periodic=True)
        now = start
        while self.events:
            event = heapq.heappop(self.events)
            now = event.at
            if event.kind not in PERIODIC:
                self.pending -= 1
            elapsed_ms = self.handlers[event.kind](event)
            db.session.remove()
            self._follow(now, elapsed_ms)
        return now

    def _schedule(self, at: datetime, kind: str, subject: int = 0, periodic: bool = False) -> None:
        if not periodic:
            self.pending += 1
        heapq.heappush(self.events, Event(at, next(self.seq), kind, subject))

    def _arrive(self, event: Event) -> float:
        caller = self.world.callers[event.subject]
        started = perf_counter()
        result = request_now(caller.wanted, caller.officer, event.at, self.policy, self.keys)
        elapsed_ms = _since(started)
        self.tally.answers[result.answer.value] = self.tally.answers.get(result.answer.value, 0) + 1
        if result.call_id is not None:
            self.officers[result.call_id] = caller.officer
        if result.answer is Answer.RINGING and event.subject >= self.warmups:
            self.tally.rung_on_arrival.append(elapsed_ms)
        elif result.answer is Answer.QUEUED and result.call_id is not None and result.place is not None:
            self.waiting.add(result.call_id)
            self.tally.longest_queue = max(self.tally.longest_queue, result.place.position)
            patience = timedelta(seconds=self.rng.uniform(*PATIENCE_SECONDS))
            self._schedule(event.at + patience, "give_up", result.call_id)
        return elapsed_ms

    def _accept(self, event: Event) -> float:
        ring = db.session.get_one(OnDemandRing, event.subject)
        call_id, actor = ring.call_id, self.world.interpreters[ring.interpreter_id]
        started = perf_counter()
        try:
            accept_ring(event.subject, actor, event.at, self.policy)
        except Conflict:
            self.tally.count("accepted_too_late")
            return _since(started)
        elapsed_ms = _since(started)
        self.tally.count("answered")
        self._schedule(event.at + timedelta(seconds=CONNECT_SECONDS), "connect", call_id)
        self._schedule(event.at + timedelta(seconds=self.rng.uniform(*CALL_SECONDS)), "hang_up", call_id)
        return elapsed_ms

    def _decline(self, event: Event) -> float:
        ring = db.session.get_one(OnDemandRing, event.subject)
        actor = self.world.interpreters[ring.interpreter_id]
        started = perf_counter()
        try:
            decline_ring(event.subject, actor, event.at, self.policy)
            self.tally.count("declined")
        except Conflict:
            pass  # someone else answered first: her ring had already stopped
        return _since(started)

    def _connect(self, event: Event) -> float:
        started = perf_counter()
        mark_connected(event.subject, event.at)
        return _since(started)

    def _hang_up(self, event: Event) -> float:
        call = db.session.get_one(OnDemandCall, event.subject)
        actor = self.world.interpreters[call.interpreter_id or 0]
        started = perf_counter()
        hang_up(event.subject, actor, event.at, self.policy)
        return _since(started)

    def _give_up(self, event: Event) -> float:
        call = db.session.get_one(OnDemandCall, event.subject)
        if call.state not in OPEN_STATES:
            return 0.0
        started = perf_counter()
        abandon(event.subject, self.officers[event.subject], event.at, self.policy)
        self.waiting.discard(event.subject)
        self.tally.count("abandoned")
        return _since(started)

    def _beat(self, event: Event) -> float:
        for interpreter_id in self.world.interpreters:
            started = perf_counter()
            heartbeat(interpreter_id, event.at, self.policy)
            self.tally.heartbeats.append(_since(started))
        if self.pending:
            self._schedule(event.at + timedelta(seconds=self.policy.heartbeat_seconds), "beat", periodic=True)
        return 0.0

    def _upkeep(self, event: Event) -> float:
        started = perf_counter()
        lapsed = expire_rings(event.at, self.policy)
        elapsed_ms = _since(started)
        self.tally.upkeep.append(elapsed_ms)
        self.tally.counts["lapsed"] = self.tally.counts.get("lapsed", 0) + lapsed
        if self.pending:
            self._schedule(event.at + timedelta(seconds=UPKEEP_SECONDS), "upkeep", periodic=True)
        return elapsed_ms

    def _follow(self, now: datetime, elapsed_ms: float) -> None:
        """After each event (untimed): the waiting requests it rang took its time to ring; the new
        rings get their interpreters' answers."""
        if self.waiting:
            rung = set(
                db.session.scalars(
                    select(OnDemandCall.id).where(
                        OnDemandCall.id.in_(self.waiting), OnDemandCall.first_ring_at.is_not(None)
                    )
                )
            )
            self.tally.queued_ring.extend(elapsed_ms for _ in rung)
            self.waiting -= rung
        for ring_id in db.session.scalars(
            select(OnDemandRing.id).where(OnDemandRing.ended_at.is_(None)).order_by(OnDemandRing.id)
        ):
            if ring_id in self.known_rings:
                continue
            self.known_rings.add(ring_id)
            draw = self.rng.random()
            if draw < LAPSE_CHANCE:
                continue  # nobody at the laptop: the upkeep ends it after the ring's span
            kind = "decline" if draw < LAPSE_CHANCE + DECLINE_CHANCE else "accept"
            self._schedule(now + timedelta(seconds=self.rng.uniform(*ANSWER_SECONDS)), kind, ring_id)
        db.session.remove()


def _since(started: float) -> float:
    return (perf_counter() - started) * 1000


def run_ondemand(app: Flask, reporter: Reporter, plan: OnDemandPlan, seed: int) -> None:
    """Switch the available share on, run the stream of requests, then time accept to connected."""
    rng = random.Random(seed)
    with app.app_context():
        policy = OnDemandPolicy.from_settings(app.extensions["rris.settings"])
        world = build_world(rng, plan, reporter.data.get("interpreters", 0))
        for interpreter_id in world.interpreters:
            set_available(interpreter_id, True, BENCH_NOW, policy)
        db.session.remove()
        report = reporter.for_backend(
            reporter.backend or "", {**reporter.data, "available": len(world.interpreters), "requests": plan.requests}
        )
        simulation = Simulation(world, policy, key_ring(app.extensions["rris.settings"]), rng)
        ended = simulation.run(BENCH_NOW, plan.gap_seconds, plan.warmups)
    tally = simulation.tally
    report.latencies("ondemand_ring", tally.rung_on_arrival, percents=(50, 95))
    report.latencies("ondemand_queued_ring", tally.queued_ring, percents=(50, 95))
    report.latencies("ondemand_heartbeat", tally.heartbeats, percents=(50, 95))
    report.latencies("ondemand_upkeep", tally.upkeep, percents=(50, 95))
    for answer in Answer:
        report.emit("ondemand_requests", answer.value, tally.answers.get(answer.value, 0), "count")
    for what in ("answered", "declined", "lapsed", "abandoned", "accepted_too_late"):
        report.emit("ondemand_requests", what, tally.counts.get(what, 0), "count")
    report.emit("ondemand_requests", "longest_queue", tally.longest_queue, "position")
    report.emit("ondemand_requests", "simulated_seconds", (ended - BENCH_NOW).total_seconds(), "s")
    run_ondemand_connect(app, world, report, plan.connects, ended)
    # Last: closing the pages takes their interpreters out of reach.
    run_ondemand_live(app, world, report, plan.live_rings, ended + timedelta(hours=1))
