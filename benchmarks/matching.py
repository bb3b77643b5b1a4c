"""Candidate search, booking assessment and slot suggestions, timed against a generated pool.

- candidate_search: what matching one leg costs (`match_leg` for a booking not yet stored):
  `candidate_pool` for the pair (the candidates, the applicant's link and her objections in one
  statement), then `match`; with the statements it sends (`statements_mean`,
  the transaction's BEGIN on SQLite included) and the rows of that one statement (`rows_mean`,
  `rows_p95`, read again untimed).
  Beside it, its
  floor: the single indexed query that answers "who speaks this pair and is free then" (no
  unreleased job and no time off overlapping the session), for the same requests in the same
  run, and the ratio of the two (floor_*, ratio_*).
- assess: what a booking request runs before it stores anything (`assess(..., suggest=False)`),
  which also loads the interpreters of the two relay pairs through English.
- suggestions: the booking preview for a time nobody can take (`assess(..., suggest=True)`):
  candidates over a week and `suggest_slots`; suggest_slots: the engine's part alone.

Requests are drawn from a seeded Random: a language pair someone works in, a department, a
weekday start within office hours up to eight weeks ahead. Each request runs in a fresh session
(as an HTTP request would), and the first `warmups` of each kind are not counted.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import perf_counter
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Select, String, bindparam, event, exists, select

from benchmarks.catalogue import BENCH_NOW, OFFICER_LANGUAGES, RELAY_LANGUAGE, SESSION_MINUTES, SESSION_WEIGHTS
from benchmarks.report import Reporter, percentile
from rris.bookings.models.bookings import Assignment, Booking
from rris.bookings.queries.applicant_links import ApplicantLink, applicant_link
from rris.common.models.types import UTCDateTime
from rris.extensions import db
from rris.matching.domain.engine import MatchResult, match
from rris.matching.domain.snapshots import Interval, MatchRequest
from rris.matching.domain.suggestions import suggest_slots
from rris.matching.queries.applicant_case import ApplicantCase
from rris.matching.queries.candidate_query import facts_query
from rris.matching.queries.candidates import candidate_pool, candidate_snapshots
from rris.matching.services.booking_matching import SUGGESTION_HORIZON, assess, objections_for
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import LanguagePair, TimeOff

FULL_TRIES = 25  # attempts at finding a time nobody can take, per suggestion request
CASE_SAMPLE = 2_000


@dataclass(frozen=True)
class MatchingPlan:
    """How many requests of each kind to time, after how many untimed warm-ups."""

    requests: int
    warmups: int
    suggestion_requests: int
    suggestion_warmups: int


FULL_PLAN = MatchingPlan(requests=300, warmups=20, suggestion_requests=100, suggestion_warmups=10)
QUICK_PLAN = MatchingPlan(requests=30, warmups=5, suggestion_requests=8, suggestion_warmups=2)


@dataclass(frozen=True)
class Draft:
    """A booking request before its objections are looked up."""

    applicant: str
    officer: str
    country_id: int
    timezone: str
    interval: Interval
    case: tuple[int, str]

    def link(self) -> ApplicantLink:
        """The case's applicant, with the cases a regional key links to it (read as `match_leg` does)."""
        return applicant_link(*self.case)

    def request(self, link: ApplicantLink | None = None, objected: frozenset[int] | None = None) -> MatchRequest:
        """The engine's request, with the objections of the applicant (`link`), read unless given."""
        return MatchRequest(
            applicant_language=self.applicant,
            officer_language=self.officer,
            country_id=self.country_id,
            interval=self.interval,
            objected_interpreter_ids=objections_for(link or self.link()) if objected is None else objected,
            country_timezone=self.timezone,
        )

    def staged(self) -> tuple[MatchRequest, ApplicantCase]:
        """The request and its applicant as a booking request hands them to `assess`: the link and
        the objections are read in the search's statement."""
        return self.request(objected=frozenset()), ApplicantCase(*self.case)

    def prepared(self) -> tuple[MatchRequest, ApplicantLink]:
        """The request and its applicant, the link read once as `match_leg` and a booking request do."""
        link = self.link()
        return self.request(link), link


@dataclass(frozen=True)
class Ingredients:
    """What requests are drawn from: pairs people work in, departments, existing cases."""

    pairs: list[tuple[str, str]]
    offices: list[tuple[int, str]]  # (country id, department zone)
    cases: list[tuple[int, str]]


def ingredients() -> Ingredients:
    """Read the pool's pairs, departments and a sample of its cases."""
    officer_side = set(OFFICER_LANGUAGES)
    pairs = []
    for first, second in db.session.execute(select(LanguagePair.language_a, LanguagePair.language_b).distinct()):
        if first in officer_side or (first == RELAY_LANGUAGE and second not in officer_side):
            first, second = second, first
        pairs.append((first, second))
    offices = db.session.execute(select(Department.country_id, Department.timezone).join(Country)).all()
    step = max(1, (db.session.scalar(select(Booking.id).order_by(Booking.id.desc()).limit(1)) or 1) // CASE_SAMPLE)
    cases = db.session.execute(
        select(Booking.country_id, Booking.case_reference).where(Booking.id % step == 0).limit(CASE_SAMPLE)
    ).all()
    return Ingredients(sorted(pairs), [tuple(row) for row in offices], [tuple(row) for row in cases])


def draw(rng: random.Random, parts: Ingredients, day: date | None = None, minute: int | None = None) -> Draft:
    """A request: by default a weekday within the next eight weeks, 08:00-16:00 at the department."""
    applicant, officer = rng.choice(parts.pairs)
    country_id, zone = rng.choice(parts.offices)
    if day is None:
        day = BENCH_NOW.date() + timedelta(days=rng.randint(1, 56))
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
    if minute is None:
        minute = 8 * 60 + 15 * rng.randint(0, 32)
    start = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ZoneInfo(zone))
    duration = timedelta(minutes=rng.choices(SESSION_MINUTES, weights=SESSION_WEIGHTS)[0])
    known = [case for case in parts.cases if case[0] == country_id]
    fresh = (country_id, f"NEW-{rng.randrange(10**9):09d}")
    case = rng.choice(known) if known and rng.random() < 0.3 else fresh
    return Draft(applicant, officer, country_id, zone, Interval(start, start + duration), case)


def search(draft: Draft, now: datetime) -> MatchResult:
    """One leg's candidate search, as `match_leg` does it: the candidates, the applicant's link and
    her objections to them in one statement."""
    pool = candidate_pool(
        draft.interval, now, ApplicantCase(*draft.case), pairs=[frozenset((draft.applicant, draft.officer))]
    )
    return match(draft.request(objected=pool.objected), pool.candidates, now)


def free_speakers_query() -> Select[tuple[int]]:
    """The floor of candidate search: who speaks the pair and has no job or time off then, in one indexed query."""
    start, end = bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    speaker = LanguagePair.interpreter_id
    busy = exists().where(
        Assignment.interpreter_id == speaker,
        Assignment.released_at.is_(None),
        Assignment.busy_from < end,
        Assignment.busy_until > start,
    )
    away = exists().where(TimeOff.interpreter_id == speaker, TimeOff.starts_at < end, TimeOff.ends_at > start)
    return select(speaker).where(
        LanguagePair.language_a == bindparam("first", type_=String()),
        LanguagePair.language_b == bindparam("second", type_=String()),
        ~busy,
        ~away,
    )


def run_matching(app: Flask, report: Reporter, plan: MatchingPlan, seed: int) -> None:
    """Time candidate search, assessment and suggestions; print their percentiles."""
    rng = random.Random(seed)
    with app.app_context():
        parts = ingredients()
        db.session.remove()
        drafts = [draw(rng, parts) for _ in range(plan.warmups + plan.requests)]
        loaded: list[int] = []
        eligible: list[int] = []
        sent = _Sent()

        def counted(draft: Draft) -> MatchResult:
            with sent.counting():
                result = search(draft, BENCH_NOW)
            loaded.append(result.eligible_count + len(result.rejections))
            eligible.append(result.eligible_count)
            return result

        searched, floor = _timed_in_turn(drafts, plan.warmups, counted, _free_speakers(free_speakers_query()))
        report.emit("candidate_search", "statements_mean", _mean(sent.statements[plan.warmups :]), "statements")
        rows = [_facts_rows(draft) for draft in drafts[plan.warmups :]]
        report.emit("candidate_search", "rows_mean", _mean(rows), "rows")
        report.emit("candidate_search", "rows_p95", percentile([float(count) for count in rows], 95), "rows")
        report.latencies("candidate_search", searched)
        report.emit("candidate_search", "candidates_mean", _mean(loaded[plan.warmups :]), "interpreters")
        report.emit("candidate_search", "eligible_mean", _mean(eligible[plan.warmups :]), "interpreters")
        for percent in (50, 95):
            floor_ms = percentile(floor, percent)
            report.emit("candidate_search", f"floor_p{percent}", floor_ms, "ms")
            ratio = percentile(searched, percent) / floor_ms if floor_ms else 0.0
            report.emit("candidate_search", f"ratio_p{percent}", ratio, "x")
        report.latencies(
            "assess", _timed(drafts, plan.warmups, lambda d: assess(*d.staged(), BENCH_NOW, suggest=False))
        )
        _suggestions(rng, parts, report, plan)


class _Sent:
    """The statements each search sends, counted from the engine's events."""

    def __init__(self) -> None:
        self.statements: list[int] = []

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count what runs inside the block as one search's."""
        statements = [0]

        def sent(*_: object) -> None:
            statements[0] += 1

        event.listen(db.engine, "before_cursor_execute", sent)
        try:
            yield
        finally:
            event.remove(db.engine, "before_cursor_execute", sent)
        self.statements.append(statements[0])


def _facts_rows(draft: Draft) -> int:
    """How many rows the search's one statement returns for `draft` (read again, untimed)."""
    pair = frozenset((draft.applicant, draft.officer))
    statement, params = facts_query(
        draft.interval, BENCH_NOW, [pair], None, ApplicantCase(*draft.case), objections=True
    )
    count = len(db.session.execute(statement, params).all())
    db.session.remove()
    return count


def _free_speakers(query: Select[tuple[int]]) -> Callable[[Draft], list[int]]:
    """The floor's call for a request: the one query, in a session of its own as each search has."""

    def call(draft: Draft) -> list[int]:
        first, second = sorted((draft.applicant, draft.officer))
        values = {"first": first, "second": second, "start": draft.interval.start, "end": draft.interval.end}
        return list(db.session.scalars(query, values))

    return call


def _suggestions(rng: random.Random, parts: Ingredients, report: Reporter, plan: MatchingPlan) -> None:
    """The preview for times nobody can take: late on a weekend night at the department."""
    drafts = [_full_time(rng, parts) for _ in range(plan.suggestion_warmups + plan.suggestion_requests)]
    full = [draft for draft in drafts if draft is not None]
    report.emit("suggestions", "full_time_requests", len(full), "count", drawn=len(drafts))
    found: list[int] = []

    def preview(draft: Draft) -> None:
        found.append(len(assess(*draft.staged(), BENCH_NOW, suggest=True).suggestions))

    report.latencies("suggestions", _timed(full, plan.suggestion_warmups, preview), percents=(50, 95))
    report.emit("suggestions", "slots_mean", _mean(found[plan.suggestion_warmups :]), "slots")
    engine_ms = []
    for draft in full[plan.suggestion_warmups :]:
        request, link = draft.prepared()
        span = Interval(request.interval.start, request.interval.end + SUGGESTION_HORIZON)
        pairs = [frozenset((draft.applicant, draft.officer))]
        candidates = candidate_snapshots(span, BENCH_NOW, pairs=pairs, applicant=link)
        started = perf_counter()
        suggest_slots(request, candidates, BENCH_NOW, horizon=SUGGESTION_HORIZON)
        engine_ms.append((perf_counter() - started) * 1000)
        db.session.remove()
    report.latencies("suggest_slots", engine_ms, percents=(50, 95))


def _full_time(rng: random.Random, parts: Ingredients) -> Draft | None:
    """A request at a time when no one is eligible (checked untimed), or None after FULL_TRIES."""
    for _ in range(FULL_TRIES):
        day = BENCH_NOW.date() + timedelta(days=rng.randint(1, 56))
        day += timedelta(days=(5 + rng.randint(0, 1) - day.weekday()) % 7)  # a Saturday or a Sunday
        draft = draw(rng, parts, day=day, minute=15 * rng.randint(0, 5 * 4))  # 00:00-05:00
        empty = search(draft, BENCH_NOW).eligible_count == 0
        db.session.remove()
        if empty:
            return draft
    return None


def _timed(drafts: list[Draft], warmups: int, call: Callable[[Draft], object]) -> list[float]:
    """Milliseconds per call, warm-ups left out; a fresh session for each call, as per HTTP request."""
    return _timed_in_turn(drafts, warmups, call)[0]


def _timed_in_turn(drafts: list[Draft], warmups: int, *calls: Callable[[Draft], object]) -> list[list[float]]:
    """`_timed` for each of `calls`, taking them in turn on each request, so that a busy moment of
    the machine weighs on all of them alike."""
    samples: list[list[float]] = [[] for _ in calls]
    for index, draft in enumerate(drafts):
        for call, taken in zip(calls, samples, strict=True):
            started = perf_counter()
            call(draft)
            elapsed = (perf_counter() - started) * 1000
            db.session.remove()
            if index >= warmups:
                taken.append(elapsed)
    return samples


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0
