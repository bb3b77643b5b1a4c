"""The candidate snapshots read in one query are the ones a straightforward reading of the pool gives.

A generated pool (the benchmarks' generator, small), requests drawn as the benchmark draws them,
and a reference that reads each interpreter's facts through the ORM relationships and one plain
query per fact: the same interpreters, the same facts, the same ranking, the same objections.
The weekly windows the reference keeps are those that can matter to the span: the ones
overlapping a local piece of it in the interpreter's zone (the zones are known to the process).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import joinedload, selectinload

from benchmarks.catalogue import BENCH_NOW
from benchmarks.matching import Draft, draw, ingredients
from benchmarks.pool import PoolSize, load_pool
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, CaseObjection
from rris.bookings.queries.applicant_links import ApplicantLink, applicant_link, linked_bookings
from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.engine import match
from rris.matching.domain.snapshots import AccreditationPeriod, Candidate, Commitment, Interval, WeeklyWindow
from rris.matching.queries.applicant_case import ApplicantCase
from rris.matching.queries.candidates import candidate_pool, candidate_snapshots
from rris.matching.queries.window_reach import PIECES_PER_ZONE, learn_zones
from rris.matching.services.booking_matching import objections_for
from rris.pool.domain.availability import local_pieces
from rris.pool.models.interpreters import AvailabilityWindow, InterpreterProfile, LanguagePair, TimeOff

SMALL_POOL = PoolSize(interpreters=40, bookings=800, seed=19)
REQUESTS = 30
# As the engine's query reads them (`rris.matching.queries.candidate_query`): what lies this far
# around the session, and the fair-share period before now.
MARGIN = timedelta(days=1, hours=14)
FAIR_SHARE = timedelta(days=30)
DELIVERED = (BookingState.COMPLETED, BookingState.CONFIRMED, BookingState.IN_PROGRESS)
SHARED_KEY = "k" * 64
EVERY_FACT = (
    joinedload(InterpreterProfile.user),
    selectinload(InterpreterProfile.language_pairs),
    selectinload(InterpreterProfile.dialects),
    selectinload(InterpreterProfile.accreditations),
    selectinload(InterpreterProfile.specialisations),
    selectinload(InterpreterProfile.availability),
)


@pytest.fixture
def pool(ctx: None) -> Iterator[list[Draft]]:
    """A generated pool, two of its cases linked by one regional applicant key, and requests on it."""
    load_pool(SMALL_POOL)
    first, second = db.session.execute(
        select(Booking.country_id, Booking.case_reference)
        .where(Booking.state == BookingState.COMPLETED)
        .group_by(Booking.country_id, Booking.case_reference)
        .order_by(Booking.country_id.desc(), Booking.case_reference)
        .limit(2)
    ).all()
    for country_id, case_reference in (first, second):
        db.session.execute(
            update(Booking)
            .where(Booking.country_id == country_id, Booking.case_reference == case_reference)
            .values(applicant_key=SHARED_KEY, applicant_key_version=1)
        )
    object_to_some(first, second)
    learn_zones(set(db.session.scalars(select(InterpreterProfile.timezone))))
    rng = random.Random(SMALL_POOL.seed)
    parts = ingredients()
    drafts = [draw(rng, parts) for _ in range(REQUESTS)]
    yield [*drafts, *targeted(first, second)]


def object_to_some(first: tuple[int, str], second: tuple[int, str]) -> None:
    """Objections of the two linked cases' applicant: two in the first case, one through the key
    from the second, to interpreters of the first case's pair."""
    booking = db.session.scalars(
        select(Booking).where(Booking.country_id == first[0], Booking.case_reference == first[1]).limit(1)
    ).one()
    speakers = db.session.scalars(
        select(LanguagePair.interpreter_id)
        .where(LanguagePair.language_a == min(booking.applicant_language, booking.officer_language))
        .order_by(LanguagePair.interpreter_id)
        .limit(3)
    ).all()
    recorder = db.session.scalars(select(User.id).limit(1)).one()
    for (country_id, case_reference), interpreter_id in zip([first, first, second], speakers, strict=False):
        db.session.add(
            CaseObjection(
                country_id=country_id,
                case_reference=case_reference,
                interpreter_id=interpreter_id,
                applicant_key=SHARED_KEY if (country_id, case_reference) == second else None,
                recorded_at=BENCH_NOW,
                recorded_by_id=recorder,
            )
        )
    db.session.flush()


def targeted(first: tuple[int, str], second: tuple[int, str]) -> list[Draft]:
    """Requests that meet the rarer facts: an applicant served before, directly and through the
    key, and interpreters away at the time."""
    booking = db.session.scalars(
        select(Booking).where(Booking.country_id == first[0], Booking.case_reference == first[1]).limit(1)
    ).one()
    start = BENCH_NOW + timedelta(days=2, hours=1)
    session = Interval(start, start + timedelta(hours=1))
    languages = (booking.applicant_language, booking.officer_language)
    drafts = [
        Draft(*languages, first[0], "UTC", session, first),
        Draft(*languages, second[0], "UTC", session, second),
    ]
    for off in db.session.scalars(select(TimeOff).order_by(TimeOff.id).limit(5)):
        pair = db.session.scalars(select(LanguagePair).where(LanguagePair.interpreter_id == off.interpreter_id)).first()
        assert pair is not None
        away = Interval(off.starts_at + timedelta(hours=1), off.starts_at + timedelta(hours=2))
        drafts.append(Draft(pair.language_a, pair.language_b, first[0], "UTC", away, (first[0], "NEW-AWAY")))
    return drafts


def reference_snapshots(
    span: Interval,
    now: datetime,
    pairs: Iterable[frozenset[str]] | None = None,
    interpreter_ids: Iterable[int] | None = None,
    applicant: ApplicantLink | None = None,
) -> list[Candidate]:
    """What `candidate_snapshots` means, read the plain way: the ORM's objects, filtered in Python."""
    wanted = {tuple(sorted(pair)) for pair in pairs} if pairs is not None else None
    ids = set(interpreter_ids) if interpreter_ids is not None else None
    profiles = [
        profile
        for profile in db.session.scalars(
            select(InterpreterProfile).options(*EVERY_FACT).order_by(InterpreterProfile.id)
        )
        if (wanted is None or wanted & {(pair.language_a, pair.language_b) for pair in profile.language_pairs})
        and (ids is None or profile.id in ids)
    ]
    chosen = [profile.id for profile in profiles]
    jobs = defaultdict(list)
    for assignment, booking in db.session.execute(
        select(Assignment, Booking)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(Assignment.interpreter_id.in_(chosen), Assignment.released_at.is_(None))
    ).tuples():
        jobs[assignment.interpreter_id].append((Interval(assignment.busy_from, assignment.busy_until), booking))
    away = defaultdict(list)
    for off in db.session.scalars(select(TimeOff).where(TimeOff.interpreter_id.in_(chosen))):
        away[off.interpreter_id].append(Interval(off.starts_at, off.ends_at))
    served = _served(applicant) if applicant else set()
    reach = Interval(span.start - MARGIN, span.end + MARGIN)
    return [
        Candidate(
            interpreter_id=profile.id,
            name=profile.user.name,
            active=profile.active and profile.user.active,
            gender=profile.gender,
            timezone=profile.timezone,
            pairs={frozenset((p.language_a, p.language_b)): p.proficiency for p in profile.language_pairs},
            dialects=frozenset((dialect.language_code, dialect.name) for dialect in profile.dialects),
            accreditations=tuple(
                AccreditationPeriod(a.country_id, a.valid_from, a.valid_to) for a in profile.accreditations
            ),
            specialisations=frozenset(item.specialisation for item in profile.specialisations),
            windows=tuple(
                WeeklyWindow(w.weekday, w.start_minute, w.end_minute)
                for w in profile.availability
                if can_matter(w, span, profile.timezone)
            ),
            time_off=tuple(off for off in away[profile.id] if reach.overlaps(off)),
            commitments=tuple(
                Commitment(booking.id, Interval(booking.starts_at, booking.ends_at), busy)
                for busy, booking in jobs[profile.id]
                if reach.overlaps(busy) and reach.overlaps(Interval(booking.starts_at, booking.ends_at))
            ),
            daily_cap_minutes=profile.daily_cap_minutes,
            rest_gap_minutes=profile.rest_gap_minutes,
            booked_minutes_last_30_days=sum(
                int((booking.ends_at - booking.starts_at).total_seconds() // 60)
                for _, booking in jobs[profile.id]
                if now - FAIR_SHARE <= booking.starts_at < now
            ),
            served_case_before=profile.id in served,
        )
        for profile in profiles
    ]


def can_matter(window: AvailabilityWindow, span: Interval, zone: str) -> bool:
    """Whether the window overlaps a local piece of the span on its weekday (any window of a span
    in more pieces than a statement narrows to)."""
    pieces = local_pieces(span, zone)
    return len(pieces) > PIECES_PER_ZONE or any(
        day.weekday() == window.weekday and window.start_minute < end and start < window.end_minute
        for day, start, end in pieces
    )


def _served(applicant: ApplicantLink) -> set[int]:
    return set(
        db.session.scalars(
            select(Assignment.interpreter_id)
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(Assignment.released_at.is_(None), Booking.state.in_(DELIVERED), linked_bookings(applicant))
        )
    )


def in_order(candidates: list[Candidate]) -> list[Candidate]:
    """The snapshots with their facts in one order: the engine does not depend on it."""
    return [
        replace(
            candidate,
            accreditations=tuple(sorted(candidate.accreditations, key=lambda a: (a.country_id, a.valid_from))),
            windows=tuple(sorted(candidate.windows, key=lambda w: (w.weekday, w.start_minute))),
            time_off=tuple(sorted(candidate.time_off, key=lambda off: (off.start, off.end))),
            commitments=tuple(sorted(candidate.commitments, key=lambda job: job.booking_id)),
        )
        for candidate in candidates
    ]


def pair_of(draft: Draft) -> frozenset[str]:
    return frozenset((draft.applicant, draft.officer))


def test_the_one_query_finds_the_same_interpreters_with_the_same_facts_and_ranks_them_alike(pool):
    """Drawn requests and targeted ones (an applicant served before, through the key too, time off)."""
    seen = {"candidates": 0, "eligible": 0, "served": 0, "jobs": 0, "time_off": 0, "booked": 0, "objected": 0}
    for draft in pool:
        request, link = draft.prepared()
        found = candidate_snapshots(request.interval, BENCH_NOW, pairs=[pair_of(draft)], applicant=link)
        expected = reference_snapshots(request.interval, BENCH_NOW, pairs=[pair_of(draft)], applicant=link)
        assert in_order(found) == in_order(expected), draft
        assert match(request, found, BENCH_NOW) == match(request, expected, BENCH_NOW)
        objected = objections_for(link) & {candidate.interpreter_id for candidate in found}
        # The pool with the objections, the link given or found in the same statement: alike.
        for applicant in (link, ApplicantCase(*draft.case)):
            together = candidate_pool(request.interval, BENCH_NOW, applicant, pairs=[pair_of(draft)])
            assert together.candidates == found, applicant
            assert together.objected == objected, applicant
        seen["objected"] += len(objected)
        seen["candidates"] += len(found)
        seen["eligible"] += match(request, found, BENCH_NOW).eligible_count
        seen["served"] += sum(candidate.served_case_before for candidate in found)
        seen["jobs"] += sum(bool(candidate.commitments) for candidate in found)
        seen["time_off"] += sum(bool(candidate.time_off) for candidate in found)
        seen["booked"] += sum(bool(candidate.booked_minutes_last_30_days) for candidate in found)
    # The comparison covered every kind of fact, not an empty pool.
    assert all(seen.values()), seen
    # A relay's two pairs, a list of interpreters (on-demand calls), the whole pool: alike too.
    draft = next(draft for draft in pool if "eng" not in (draft.applicant, draft.officer))
    interval = draft.request().interval
    relay = [frozenset((draft.applicant, "eng")), frozenset(("eng", draft.officer))]
    some = list(db.session.scalars(select(LanguagePair.interpreter_id).order_by(LanguagePair.id).limit(12)))
    for options in (
        {"pairs": relay},
        {"pairs": [pair_of(draft)], "interpreter_ids": some},
        {"interpreter_ids": some},
        {"interpreter_ids": []},
        {},
    ):
        found = candidate_snapshots(interval, BENCH_NOW, **options)
        assert in_order(found) == in_order(reference_snapshots(interval, BENCH_NOW, **options)), options
        assert [candidate.interpreter_id for candidate in found] == sorted(c.interpreter_id for c in found)


def test_a_search_reads_the_pool_in_one_statement(pool):
    draft = pool[0]
    request = draft.request()
    link = applicant_link(*draft.case)
    statements: list[str] = []
    connection = db.session.connection()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", count)
    try:
        found = candidate_snapshots(request.interval, BENCH_NOW, pairs=[pair_of(draft)], applicant=link)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert found
    assert len(statements) == 1, statements
