"""Putting many legs of stored bookings to the matching engine at once, as the desk explains them.

`rris.matching.services.booking_matching.match_leg` reads the pool for one leg: the interpreters of
its language pair around its time, with its applicant's objections and former interpreters, in a
statement of its own. The desk explains ten bookings a page, and ten such statements were most of
its time on PostgreSQL (a round trip and a large plan each). `match_legs` reads what the legs share
once: the interpreters of every leg's pair around every leg's time in one statement, and the
applicants' links, objections and former interpreters in a few grouped statements for all of them.
Each leg is then matched on its own pair's interpreters, so every result is `match_leg`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select

from rris.bookings.models.bookings import Assignment, Booking, CaseObjection
from rris.bookings.queries.applicant_links import ApplicantLink, linked_bookings, linked_objections
from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.engine import MatchResult, match
from rris.matching.domain.snapshots import Candidate, Interval, MatchRequest
from rris.matching.queries.candidates import candidate_snapshots
from rris.matching.services.booking_matching import request_for_booking

Case = tuple[int, str]  # (country, case reference)
_DELIVERED = (BookingState.COMPLETED, BookingState.CONFIRMED, BookingState.IN_PROGRESS)


@dataclass(frozen=True)
class ApplicantHistory:
    """What the ranking and the objections rule know of one booking's applicant."""

    objected: frozenset[int]  # interpreters she objected to, in any linked case or by her key
    served: frozenset[int]  # interpreters of a delivered or confirmed session of a linked case
    last: int | None  # the interpreter of her latest such session (first leg), this booking's aside


def match_legs(legs: Sequence[tuple[Booking, int]], now: datetime) -> list[MatchResult]:
    """Ranked interpreters for each (booking, leg), in order: what `match_leg` answers for each,
    from one read of the pool for all of them."""
    if not legs:
        return []
    requests = [request_for_booking(booking, leg, objected=frozenset(), continuity=False) for booking, leg in legs]
    span = Interval(
        min(request.interval.start for request in requests), max(request.interval.end for request in requests)
    )
    pool = candidate_snapshots(span, now, pairs=_padded(sorted({_pair(request) for request in requests}, key=sorted)))
    histories = applicant_histories({booking.id: booking for booking, _ in legs}.values())
    return [
        _matched(request, histories[booking.id], booking.continuity, pool, now)
        for (booking, _), request in zip(legs, requests, strict=True)
    ]


def _padded(pairs: list[frozenset[str]]) -> list[frozenset[str]]:
    """The pairs, the last repeated up to a power of two: the search keeps one statement per number
    of pairs, built at its first use, and a page's number of pairs changes with every booking."""
    size = 1 << (len(pairs) - 1).bit_length()
    return pairs + pairs[-1:] * (size - len(pairs))


def _pair(request: MatchRequest) -> frozenset[str]:
    return frozenset((request.applicant_language, request.officer_language))


def _matched(
    request: MatchRequest, history: ApplicantHistory, continuity: bool, pool: list[Candidate], now: datetime
) -> MatchResult:
    """One leg matched on the interpreters of its own pair (those the search would have chosen)."""
    pair = _pair(request)
    candidates = [
        replace(candidate, served_case_before=True) if candidate.interpreter_id in history.served else candidate
        for candidate in pool
        if pair in candidate.pairs
    ]
    request = replace(
        request,
        objected_interpreter_ids=history.objected,
        continuity_interpreter_id=history.last if continuity else None,
    )
    return match(request, candidates, now)


def applicant_histories(bookings: Iterable[Booking]) -> dict[int, ApplicantHistory]:
    """Each booking's applicant history, by booking id, in at most four statements for them all."""
    bookings = list(bookings)
    links = applicant_links(bookings)
    if not links:
        return {}
    every = ApplicantLink(
        frozenset().union(*(link.cases for link in links.values())),
        frozenset().union(*(link.keys for link in links.values())),
    )
    objections = db.session.execute(
        select(
            CaseObjection.country_id,
            CaseObjection.case_reference,
            CaseObjection.applicant_key,
            CaseObjection.interpreter_id,
        ).where(linked_objections(every))
    ).all()
    # Every held job of the linked cases, the state read rather than asked for: a condition on it let
    # SQLite's planner start from every delivered booking instead of from the applicants' few cases.
    sessions = [
        row
        for row in db.session.execute(
            select(
                Assignment.interpreter_id,
                Assignment.leg,
                Booking.id,
                Booking.country_id,
                Booking.case_reference,
                Booking.state,
            )
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(linked_bookings(every), Assignment.released_at.is_(None))
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
        )
        if row.state in _DELIVERED
    ]
    histories = {}
    for booking_id, link in links.items():
        mine = [row for row in sessions if (row.country_id, row.case_reference) in link.cases]
        last = next((row.interpreter_id for row in mine if row.leg == 1 and row.id != booking_id), None)
        objected = frozenset(
            row.interpreter_id
            for row in objections
            if (row.country_id, row.case_reference) in link.cases or row.applicant_key in link.keys
        )
        histories[booking_id] = ApplicantHistory(objected, frozenset(row.interpreter_id for row in mine), last)
    return histories


def applicant_links(bookings: Sequence[Booking]) -> dict[int, ApplicantLink]:
    """`booking_link` of each booking, by booking id, in two statements for them all: the keys on
    each case's bookings, then every case sharing one of those keys."""
    cases = sorted({(booking.country_id, booking.case_reference) for booking in bookings})
    if not cases:
        return {}
    keys_of: dict[Case, set[str]] = defaultdict(set)
    for country_id, reference, key in db.session.execute(
        select(Booking.country_id, Booking.case_reference, Booking.applicant_key)
        .where(_any_case(cases), Booking.applicant_key.isnot(None))
        .distinct()
    ):
        keys_of[(country_id, reference)].add(key)
    given = {booking.id: _keys(booking, keys_of) for booking in bookings}
    every_key = sorted(set().union(*given.values()))
    cases_of: dict[str, set[Case]] = defaultdict(set)
    if every_key:
        for key, country_id, reference in db.session.execute(
            select(Booking.applicant_key, Booking.country_id, Booking.case_reference)
            .where(Booking.applicant_key.in_(every_key))
            .distinct()
        ):
            cases_of[key].add((country_id, reference))
    return {
        booking.id: ApplicantLink(
            frozenset({(booking.country_id, booking.case_reference)}).union(
                *(cases_of[key] for key in given[booking.id])
            ),
            frozenset(given[booking.id]),
        )
        for booking in bookings
    }


def _keys(booking: Booking, keys_of: dict[Case, set[str]]) -> set[str]:
    """The booking's own key and those on its case's bookings."""
    found = set(keys_of.get((booking.country_id, booking.case_reference), ()))
    if booking.applicant_key:
        found.add(booking.applicant_key)
    return found


def _any_case(cases: Sequence[Case]) -> ColumnElement[bool]:
    """One equality pair per case (each searched by the case's index), as `linked_bookings` writes them."""
    return or_(*(and_(Booking.country_id == country_id, Booking.case_reference == ref) for country_id, ref in cases))
