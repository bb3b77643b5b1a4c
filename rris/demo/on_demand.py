"""A few past on-demand sessions in the demo's history, made by the on-demand services themselves.

Each story is played at its own instants by a clock moved on step by step (nothing is slept):
interpreters switch "available now" on, an officer asks, pages ring, someone answers (or nobody
does), the call connects and ends, and they switch off again. So the coordinators' figures for
on-demand sessions (speed of answer, abandonment, minutes by language and country) have
something to show at once: answered calls, a ring nobody took, a request given up in the queue.

Written once, right after the past (only when the past was written by the same load). A story
plays on the latest weekday, from its own starting day back, on which none of its interpreters
had a job or time off (so the engine rings them as written); should the services still answer
otherwise, what they wrote is ended as they would end it and the story tries an earlier day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from rris.access.domain.permissions import Actor
from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.bookings.services.applicant_keys import key_ring
from rris.enums import SessionKind
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import Answer
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.answering import accept_ring, expire_rings, hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat, set_available
from rris.ondemand.services.requests import NowAnswer, NowRequest, abandon, request_now
from rris.pool.models.interpreters import TimeOff
from rris.settings import Settings
from rris.timeutil import FrozenClock, local_to_utc

CONNECT_SECONDS = 4  # answer to both in the call
LATEST_DAYS_AGO = 60  # a story not played by then is left out
FREE_AROUND = timedelta(hours=12)
SATURDAY = 5


@dataclass(frozen=True)
class Story:
    """One on-demand session (two for "queued"): who asks, in which pair, who is available, and when.

    kind: "answered" (rung, answered after `answer_seconds`, talks `talk_minutes`); "missed" (the
    rings lapse unanswered, the officer gives up); "queued" (a colleague's call takes the only
    interpreter, the officer waits in the queue and gives up; the colleague's call is answered).
    """

    kind: str
    caseworker: str
    applicant_language: str
    officer_language: str
    interpreters: tuple[str, ...]
    local_start: time
    days_ago: int
    session_kind: SessionKind = SessionKind.RECEPTION
    answer_seconds: int = 10
    talk_minutes: int = 20
    colleague: str = ""


STORIES: tuple[Story, ...] = (
    Story("answered", "Jelena Marković", "pus", "srp", ("Mariam Ahmadzai", "Palwasha Niazi"), time(10, 40), 2,
          answer_seconds=9, talk_minutes=22),
    Story("missed", "Stefan Ilić", "pus", "srp", ("Mariam Ahmadzai", "Palwasha Niazi"), time(14, 10), 4),
    Story("queued", "Jelena Marković", "pus", "srp", ("Mariam Ahmadzai",), time(11, 20), 6,
          answer_seconds=6, talk_minutes=14, colleague="Tamara Đorđević"),
    Story("answered", "Marija Nikolovska", "arb", "mkd", ("Ana Trajkovska",), time(9, 50), 8,
          session_kind=SessionKind.REGISTRATION, answer_seconds=14, talk_minutes=31),
    Story("answered", "Burak Şahin", "arb", "tur", ("Ahmad Al-Khatib", "Huda Darwish"), time(15, 5), 10,
          answer_seconds=21, talk_minutes=17),
)  # fmt: skip


class _Player:
    """Plays stories through the services, each at its own instants."""

    def __init__(self, today: date, settings: Settings) -> None:
        self.today = today
        self.policy = OnDemandPolicy.from_settings(settings)
        self.keys = key_ring(settings)
        self.users = {user.name: user for user in db.session.scalars(select(User))}
        self.interpreters = {
            user.interpreter_profile.id: user for user in self.users.values() if user.interpreter_profile is not None
        }

    def play(self, number: int, story: Story) -> None:
        """Play the story on the latest day it plays out as written."""
        officer = self.users[story.caseworker]
        zone_name = officer.department.timezone if officer.department else "UTC"
        ids = [self._profile_id(name) for name in story.interpreters]
        for days_ago in range(story.days_ago, LATEST_DAYS_AGO + 1):
            day = self.today - timedelta(days=days_ago)
            start = local_to_utc(datetime.combine(day, story.local_start), zone_name)
            if day.weekday() < SATURDAY and _free(ids, start) and self._played(number, story, FrozenClock(start)):
                return

    def _profile_id(self, name: str) -> int:
        profile = self.users[name].interpreter_profile
        assert profile is not None, name
        return profile.id

    def _played(self, number: int, story: Story, clock: FrozenClock) -> bool:
        for name in story.interpreters:
            set_available(self._profile_id(name), True, clock.now(), self.policy)
        try:
            if story.kind == "queued":
                return self._queued(number, story, clock)
            first = self._ask(story, story.caseworker, clock, f"{number}")
            if first.answer is not Answer.RINGING or first.call_id is None:
                self._give_up(first, story.caseworker, clock)
                return False
            if story.kind == "missed":
                clock.advance(timedelta(seconds=self.policy.ring_seconds + 1))
                expire_rings(clock.now(), self.policy)
                clock.advance(timedelta(seconds=40))
                self._give_up(first, story.caseworker, clock)
            else:
                self._answer(first.call_id, story, clock)
            return True
        finally:
            for name in story.interpreters:
                set_available(self._profile_id(name), False, clock.now(), self.policy)

    def _queued(self, number: int, story: Story, clock: FrozenClock) -> bool:
        first = self._ask(story, story.colleague, clock, f"{number}A")
        if first.answer is not Answer.RINGING or first.call_id is None:
            self._give_up(first, story.colleague, clock)
            return False
        call_id = self._accept(first.call_id, story, clock)
        clock.advance(timedelta(minutes=2))
        second = self._ask(story, story.caseworker, clock, f"{number}B")
        clock.advance(timedelta(seconds=95))
        self._give_up(second, story.caseworker, clock)
        self._hang_up(call_id, story, clock)
        return second.answer is Answer.QUEUED

    def _ask(self, story: Story, name: str, clock: FrozenClock, case: str) -> NowAnswer:
        for interpreter in story.interpreters:  # their pages beat all along
            heartbeat(self._profile_id(interpreter), clock.now(), self.policy)
        wanted = NowRequest(
            applicant_language=story.applicant_language,
            officer_language=story.officer_language,
            case_reference=f"DEMO-NOW-{case}",
            session_kind=story.session_kind,
        )
        return request_now(wanted, self._actor(name), clock.now(), self.policy, self.keys)

    def _answer(self, call_id: int, story: Story, clock: FrozenClock) -> None:
        self._hang_up(self._accept(call_id, story, clock), story, clock)

    def _accept(self, call_id: int, story: Story, clock: FrozenClock) -> int:
        """The first interpreter rung accepts after `answer_seconds`, and the call connects."""
        statement = select(OnDemandRing.id, OnDemandRing.interpreter_id).where(OnDemandRing.call_id == call_id)
        ring_id, interpreter_id = db.session.execute(statement.order_by(OnDemandRing.id).limit(1)).one()
        clock.advance(timedelta(seconds=story.answer_seconds))
        accept_ring(ring_id, actor_of(self.interpreters[interpreter_id]), clock.now(), self.policy)
        clock.advance(timedelta(seconds=CONNECT_SECONDS))
        mark_connected(call_id, clock.now())
        return call_id

    def _hang_up(self, call_id: int, story: Story, clock: FrozenClock) -> None:
        clock.advance(timedelta(minutes=story.talk_minutes))
        interpreter_id = db.session.get_one(OnDemandCall, call_id).interpreter_id
        hang_up(call_id, actor_of(self.interpreters[interpreter_id or 0]), clock.now(), self.policy)

    def _give_up(self, answer: NowAnswer, name: str, clock: FrozenClock) -> None:
        if answer.call_id is not None:
            abandon(answer.call_id, self._actor(name), clock.now(), self.policy)

    def _actor(self, name: str) -> Actor:
        return actor_of(self.users[name])


def _free(interpreter_ids: list[int], start: datetime) -> bool:
    """True when none of them holds a job or time off within a day either side of `start`."""
    around = (start - FREE_AROUND, start + FREE_AROUND)
    jobs = select(Assignment.id).where(
        Assignment.interpreter_id.in_(interpreter_ids),
        Assignment.released_at.is_(None),
        Assignment.busy_from < around[1],
        Assignment.busy_until > around[0],
    )
    leave = select(TimeOff.id).where(
        TimeOff.interpreter_id.in_(interpreter_ids), TimeOff.starts_at < around[1], TimeOff.ends_at > around[0]
    )
    return db.session.scalar(jobs.limit(1)) is None and db.session.scalar(leave.limit(1)) is None


def load_demo_on_demand(now: datetime, settings: Settings) -> int:
    """Play the stories before `now` through the services (each commits) under `settings`' on-demand
    policy; how many sessions they made."""
    before = on_demand_sessions()
    player = _Player(now.date(), settings)
    for number, story in enumerate(STORIES, start=1):
        player.play(number, story)
    return on_demand_sessions() - before


def on_demand_sessions() -> int:
    """How many on-demand sessions the database holds."""
    return db.session.scalar(select(func.count()).select_from(Booking).where(Booking.on_demand.is_(True))) or 0
