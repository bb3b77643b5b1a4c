"""The demo pool's past, planned: six months of sessions across the seven countries. Pure.

Drawn from one `random.Random` seeded with the load date, so the same date plans the same past.
Each session is given to an interpreter who could really have taken it: a working pair, an
accreditation for the country, inside their weekly availability in their own zone, under their
daily cap and clear of their other sessions, rest gap included (the database refuses overlaps).
Some interpreters are asked more often than others, so utilisation spreads as it does in a real
pool. Where no one could take a session it stays unfilled, or relays through English where no
one works the pair at all. `rris.demo.history` reads the pool and writes the rows.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from rris.bookings.domain.session_kinds import DEFAULT_DURATION_MINUTES
from rris.enums import BookingState, Modality, SessionKind
from rris.matching.domain.clashes import busy_interval, jobs_clash
from rris.matching.domain.snapshots import Interval

HISTORY_DAYS = 183  # about six months before the load date
SEED = "rris-demo-history"
RELAY_LANGUAGE = "eng"
# Sessions on an ordinary weekday, per country; weekends see a twentieth of it.
SESSIONS_PER_WEEKDAY = {"RS": 12, "MK": 9, "TR": 5, "BA": 3, "AL": 3, "ME": 2, "XK": 2}
WEEKEND_SHARE = 0.05
APPLICANT_LANGUAGES = {
    "pus": 14, "prs": 14, "arb": 14, "pes": 12, "apc": 8, "urd": 7, "ckb": 5, "kmr": 5,
    "acm": 4, "ben": 4, "som": 3, "tir": 3, "fra": 3,
}  # fmt: skip
SESSION_KINDS = {
    SessionKind.ASYLUM_INTERVIEW: 30, SessionKind.REGISTRATION: 20, SessionKind.RECEPTION: 10,
    SessionKind.MEDICAL: 8, SessionKind.LEGAL_COUNSELLING: 10, SessionKind.RETURN_COUNSELLING: 6,
    SessionKind.AGE_ASSESSMENT: 6, SessionKind.VULNERABILITY_ASSESSMENT: 10,
}  # fmt: skip
OFFICIAL_OFFICER_SHARE = 0.65  # the rest of the officers work in English
# What became of a session that had its interpreter, per 1,000.
FILLED_OUTCOMES = {
    "completed": 820, "cancelled_early": 55, "cancelled_late": 40, "applicant_no_show": 40,
    "interpreter_no_show": 15, "technical_failure": 20, "wrong_language": 10,
}  # fmt: skip
UNFILLED_CANCELLED_SHARE = 0.4  # of sessions no one could take: the department cancelled them
PHONE_SHARE = 0.15  # sessions booked by telephone
PHONE_FALLBACK_SHARE = 0.09  # of video calls: the interpreter came back by telephone
PHONE_SESSION_LEG_SHARE = 0.5  # of telephone sessions: held on an RRIS telephone leg
FIRST_START, LAST_START = 8 * 60, 15 * 60 + 30  # minutes after the department's local midnight
POPULARITY = (1, 1, 2, 3, 5, 8)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # how often departments come back to an interpreter


@dataclass(frozen=True)
class PoolInterpreter:
    """What planning needs of an interpreter."""

    id: int
    zone: ZoneInfo
    pairs: frozenset[frozenset[str]]
    accredited: dict[str, tuple[tuple[date, date], ...]]  # country code -> validity spans
    windows: dict[int, tuple[tuple[int, int], ...]]  # weekday -> (start, end) minutes, local
    daily_cap_minutes: int
    rest_gap_minutes: int


@dataclass(frozen=True)
class PoolOffice:
    """A department that books: its country, its zone and its caseworkers."""

    department_id: int
    country_id: int
    country_code: str
    zone: ZoneInfo
    official_language: str
    caseworker_ids: tuple[int, ...]


@dataclass
class PastSession:
    """One planned booking and what became of it."""

    office: PoolOffice
    caseworker_id: int
    code: str
    applicant_language: str
    officer_language: str
    kind: SessionKind
    modality: Modality
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    state: BookingState
    interpreters: tuple[PoolInterpreter, ...] = ()
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_late: bool = False
    phone_fallback: bool = False  # a video call the interpreter finished by telephone
    phone_leg: bool = False  # a telephone session held on an RRIS leg
    delivered_seconds: int = 0  # officer and interpreter in the call together
    late_join_seconds: int = 0

    @property
    def relay(self) -> bool:
        return len(self.interpreters) > 1


@dataclass
class Diary:
    """An interpreter's planned sessions: busy spans (rest gap included) filed under every UTC day
    they touch, so a clash is looked for among that day's spans only, and minutes per local day."""

    busy: dict[date, list[Interval]] = field(default_factory=dict)
    minutes: dict[date, int] = field(default_factory=dict)

    def clashes(self, span: Interval) -> bool:
        """True when `span` clashes with a planned span (two spans that share an instant share its day)."""
        return any(jobs_clash(span, other) for day in _days(span) for other in self.busy.get(day, ()))

    def add(self, span: Interval) -> None:
        for day in _days(span):
            self.busy.setdefault(day, []).append(span)

    def remove(self, span: Interval) -> None:
        for day in _days(span):
            self.busy[day].remove(span)


def _days(span: Interval) -> list[date]:
    """The UTC days a half-open span touches."""
    first, last = span.start.date(), (span.end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


class _Weights:
    def __init__(self, weights: dict) -> None:  # type: ignore[type-arg]
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def draw(self, rng: random.Random):  # type: ignore[no-untyped-def]
        return self.keys[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class HistoryPlanner:
    """Plans the sessions of the HISTORY_DAYS before `today` (UTC dates), deterministically."""

    def __init__(self, today: date, offices: list[PoolOffice], interpreters: list[PoolInterpreter]) -> None:
        self.rng = random.Random(f"{SEED}:{today.isoformat()}")
        self.today = today
        self.offices: dict[str, list[PoolOffice]] = {}
        for office in offices:
            self.offices.setdefault(office.country_code, []).append(office)
        self.interpreters = interpreters
        self.popularity = {person.id: self.rng.choice(POPULARITY) for person in interpreters}
        self.diaries: dict[int, Diary] = {person.id: Diary() for person in interpreters}
        # Departments book the languages the pool serves them in (anyone accredited for the country).
        self._languages = {
            code: _Weights({language: weight for language, weight in APPLICANT_LANGUAGES.items() if language in spoken})
            for code in self.offices
            if (spoken := _spoken_for(code, interpreters))
        }
        self._kinds = _Weights(SESSION_KINDS)
        self._outcomes = _Weights(FILLED_OUTCOMES)
        self._codes: set[str] = set()
        self._by_pair: dict[tuple[frozenset[str], str], list[PoolInterpreter]] = {}

    def plan(self) -> list[PastSession]:
        """Every planned session, in start order."""
        sessions: list[PastSession] = []
        for offset in range(HISTORY_DAYS, 0, -1):
            day = self.today - timedelta(days=offset)
            weekend = day.weekday() >= 5
            for code in sorted(self._languages):
                mean = SESSIONS_PER_WEEKDAY.get(code, 1) * (WEEKEND_SHARE if weekend else 1.0)
                count = int(mean) + (1 if self.rng.random() < mean - int(mean) else 0)
                sessions.extend(self._session(day, code) for _ in range(count))
        sessions.sort(key=lambda session: (session.starts_at, session.code))
        return sessions

    def _session(self, day: date, country_code: str) -> PastSession:
        rng = self.rng
        office = rng.choice(self.offices[country_code])
        minute = FIRST_START + 15 * rng.randrange((LAST_START - FIRST_START) // 15 + 1)
        start = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=office.zone).astimezone(UTC)
        kind = self._kinds.draw(rng)
        end = start + timedelta(minutes=DEFAULT_DURATION_MINUTES[kind])
        applicant = self._languages[country_code].draw(rng)
        officer = office.official_language if rng.random() < OFFICIAL_OFFICER_SHARE else RELAY_LANGUAGE
        if officer == applicant:
            officer = RELAY_LANGUAGE if applicant != RELAY_LANGUAGE else office.official_language
        created = start - timedelta(days=rng.randint(1, 21), minutes=rng.randrange(600))
        session = PastSession(
            office=office,
            caseworker_id=rng.choice(office.caseworker_ids),
            code=self._code(),
            applicant_language=applicant,
            officer_language=officer,
            kind=kind,
            modality=Modality.PHONE if rng.random() < PHONE_SHARE else Modality.VIDEO,
            starts_at=start,
            ends_at=end,
            created_at=created,
            state=BookingState.UNFILLED,
        )
        interpreters = self._staff(session)
        if interpreters is None:
            if rng.random() < UNFILLED_CANCELLED_SHARE:
                self._cancel(session, late=rng.random() < 0.3)
            return session
        session.interpreters = interpreters
        session.confirmed_at = min(created + timedelta(minutes=rng.randint(3, 36 * 60)), start - timedelta(hours=1))
        self._outcome(session)
        return session

    def _staff(self, session: PastSession) -> tuple[PoolInterpreter, ...] | None:
        """Who took the session (two for a relay through English), or None when no one could.
        Where no one was free for the officer's language the department settled for English."""
        pair = frozenset((session.applicant_language, session.officer_language))
        country = session.office.country_code
        chosen = self._choose(pair, country, session) if self._workers(pair, country) else None
        if chosen is not None:
            return (chosen,)
        if RELAY_LANGUAGE in pair:
            return None
        if not self._workers(pair, country):
            relay = self._relay(session)
            if relay is not None:
                return relay
        chosen = self._choose(frozenset((session.applicant_language, RELAY_LANGUAGE)), country, session)
        if chosen is None:
            return None
        session.officer_language = RELAY_LANGUAGE
        return (chosen,)

    def _relay(self, session: PastSession) -> tuple[PoolInterpreter, PoolInterpreter] | None:
        country = session.office.country_code
        first = self._choose(frozenset((session.applicant_language, RELAY_LANGUAGE)), country, session)
        if first is None:
            return None
        second = self._choose(frozenset((RELAY_LANGUAGE, session.officer_language)), country, session, taken=first)
        if second is None:
            self._forget(first, session)
            return None
        return (first, second)

    def _workers(self, pair: frozenset[str], country: str) -> list[PoolInterpreter]:
        key = (pair, country)
        if key not in self._by_pair:
            self._by_pair[key] = [p for p in self.interpreters if pair in p.pairs and country in p.accredited]
        return self._by_pair[key]

    def _choose(
        self, pair: frozenset[str], country: str, session: PastSession, taken: PoolInterpreter | None = None
    ) -> PoolInterpreter | None:
        free = [
            person for person in self._workers(pair, country) if person is not taken and self._free(person, session)
        ]
        if not free:
            return None
        weights = list(accumulate(self.popularity[person.id] for person in free))
        chosen = free[bisect(weights, self.rng.random() * weights[-1])]
        self._book(chosen, session)
        return chosen

    def _free(self, person: PoolInterpreter, session: PastSession) -> bool:
        day = session.starts_at.date()
        spans = person.accredited[session.office.country_code]
        if not any(valid_from <= day <= valid_to for valid_from, valid_to in spans):
            return False
        local_start, local_end = session.starts_at.astimezone(person.zone), session.ends_at.astimezone(person.zone)
        if local_start.date() != local_end.date() and local_end.time() != time(0):
            return False
        first = local_start.hour * 60 + local_start.minute
        last = (local_end.hour * 60 + local_end.minute) or 24 * 60
        windows = person.windows.get(local_start.weekday(), ())
        if not any(start <= first and last <= end for start, end in windows):
            return False
        diary = self.diaries[person.id]
        minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
        if diary.minutes.get(local_start.date(), 0) + minutes > person.daily_cap_minutes:
            return False
        return not diary.clashes(self._busy_span(person, session))

    def _busy_span(self, person: PoolInterpreter, session: PastSession) -> Interval:
        return busy_interval(Interval(session.starts_at, session.ends_at), person.rest_gap_minutes)

    def _book(self, person: PoolInterpreter, session: PastSession) -> None:
        diary = self.diaries[person.id]
        diary.add(self._busy_span(person, session))
        day = session.starts_at.astimezone(person.zone).date()
        diary.minutes[day] = diary.minutes.get(day, 0) + int(
            (session.ends_at - session.starts_at).total_seconds() // 60
        )

    def _forget(self, person: PoolInterpreter, session: PastSession) -> None:
        diary = self.diaries[person.id]
        diary.remove(self._busy_span(person, session))
        day = session.starts_at.astimezone(person.zone).date()
        diary.minutes[day] -= int((session.ends_at - session.starts_at).total_seconds() // 60)

    def _outcome(self, session: PastSession) -> None:
        rng = self.rng
        outcome = self._outcomes.draw(rng)
        if outcome.startswith("cancelled"):
            for person in session.interpreters:
                self._forget(person, session)  # released: free for another session
            self._cancel(session, late=outcome == "cancelled_late")
            return
        session.state = BookingState(outcome)
        booked = int((session.ends_at - session.starts_at).total_seconds())
        session.late_join_seconds = rng.randrange(0, 240)
        session.delivered_seconds = max(0, booked - session.late_join_seconds - rng.randrange(0, 900))
        if session.modality is Modality.VIDEO:
            session.phone_fallback = outcome == "completed" and rng.random() < PHONE_FALLBACK_SHARE
        else:
            session.phone_leg = outcome == "completed" and rng.random() < PHONE_SESSION_LEG_SHARE

    def _cancel(self, session: PastSession, late: bool) -> None:
        rng = self.rng
        before = timedelta(hours=rng.randint(2, 22)) if late else timedelta(days=rng.randint(2, 9))
        earliest = (session.confirmed_at or session.created_at) + timedelta(minutes=1)
        session.state = BookingState.CANCELLED
        session.cancelled_at = max(session.starts_at - before, earliest)
        session.cancelled_late = session.starts_at - session.cancelled_at < timedelta(hours=24)

    def _code(self) -> str:
        # One character longer than the codes bookings get when made: the two never collide.
        while True:
            code = "RR-" + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(7))
            if code not in self._codes:
                self._codes.add(code)
                return code


def _spoken_for(country_code: str, interpreters: list[PoolInterpreter]) -> set[str]:
    """The applicants' languages someone accredited for the country works in."""
    return {
        language
        for person in interpreters
        if country_code in person.accredited
        for pair in person.pairs
        for language in pair
        if language in APPLICANT_LANGUAGES
    }
