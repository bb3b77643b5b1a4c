"""Putting a booking to the matching engine: what it needs, per leg, and what the pool offers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select

from rris.bookings.models.bookings import Assignment, Booking, CaseObjection
from rris.bookings.queries.applicant_links import (
    ApplicantLink,
    applicant_link,
    booking_link,
    linked_bookings,
    linked_objections,
)
from rris.bookings.services.booking_input import ValidBooking
from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.engine import MatchResult, match
from rris.matching.domain.relay import RELAY_LANGUAGE, RelayPlan, leg_requests, plan_relay
from rris.matching.domain.snapshots import Interval, MatchRequest
from rris.matching.domain.suggestions import SlotSuggestion, suggest_slots
from rris.matching.queries.applicant_case import ApplicantCase
from rris.matching.queries.candidates import candidate_pool

SUGGESTION_HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class Assessment:
    """What the pool can do for a request: direct matches, a relay, or other times."""

    direct: MatchResult
    covered_directly: bool
    relay: RelayPlan | None = None
    suggestions: tuple[SlotSuggestion, ...] = field(default_factory=tuple)


def link_for_valid(valid: ValidBooking) -> ApplicantLink:
    """The applicant of a booking not yet stored: the case, and the key when one was given."""
    keys = [key.digest for key in valid.applicant_keys]
    return applicant_link(valid.department.country_id, valid.case_reference, keys)


def request_from_valid(valid: ValidBooking, link: ApplicantLink) -> MatchRequest:
    """The engine's request for a booking not yet stored."""
    last = last_interpreter_for(link) if valid.continuity else None
    return _valid_request(valid, objections_for(link), last)


def _valid_request(valid: ValidBooking, objected: frozenset[int], last: int | None) -> MatchRequest:
    country = valid.department.country
    return MatchRequest(
        applicant_language=valid.applicant_language,
        officer_language=valid.officer_language,
        country_id=country.id,
        interval=valid.interval,
        dialect=valid.dialect,
        gender=valid.gender,
        gender_rule=valid.gender_rule,
        specialisations=valid.specialisations,
        objected_interpreter_ids=objected,
        continuity_interpreter_id=last,
        country_timezone=country.timezone,
    )


def request_for_booking(
    booking: Booking,
    leg: int = 1,
    link: ApplicantLink | None = None,
    objected: frozenset[int] | None = None,
    *,
    continuity: bool = True,
) -> MatchRequest:
    """The engine's request for one leg of a stored booking (leg 2 exists only for a relay); the
    applicant's objections read unless given (`objected`, as `candidate_pool` reads them), and her
    link only when the objections or continuity need it.

    `continuity=False` leaves out whom the applicant had last: it moves the ranking, never who is eligible.
    """
    last = None
    wants_last = continuity and booking.continuity
    if objected is None or wants_last:
        link = link or booking_link(booking)
        objected = objections_for(link) if objected is None else objected
        last = last_interpreter_for(link, before=booking.id) if wants_last else None
    request = MatchRequest(
        applicant_language=booking.applicant_language,
        officer_language=booking.officer_language,
        country_id=booking.country_id,
        interval=Interval(booking.starts_at, booking.ends_at),
        dialect=booking.dialect,
        gender=booking.gender,
        gender_rule=booking.gender_rule,
        specialisations=frozenset(item.specialisation for item in booking.specialisations),
        objected_interpreter_ids=objected,
        continuity_interpreter_id=last,
        booking_id=booking.id,
        country_timezone=booking.country.timezone,
    )
    if not booking.relay:
        return request
    return leg_requests(request)[leg - 1]


def match_leg(booking: Booking, leg: int, now: datetime, interpreter_ids: list[int] | None = None) -> MatchResult:
    """Ranked interpreters for one leg of a stored booking (the candidates, the applicant's link and
    her objections to them in one statement)."""
    return _match_stored(booking, leg, now, interpreter_ids, continuity=True)


def recheck_leg(booking: Booking, leg: int, interpreter_id: int, now: datetime) -> MatchResult:
    """Whether one interpreter may still take one leg of a stored booking: every rule of eligibility
    (the objections through the applicant's link included, read in the search's statement), but
    none of the lookups that only rank (continuity), since one interpreter is not ranked against anyone."""
    return _match_stored(booking, leg, now, [interpreter_id], continuity=False)


def _match_stored(
    booking: Booking, leg: int, now: datetime, interpreter_ids: list[int] | None, *, continuity: bool
) -> MatchResult:
    request = request_for_booking(booking, leg, objected=frozenset(), continuity=continuity)  # objections: the pool's
    pool = candidate_pool(
        request.interval,
        now,
        booking_case(booking),
        pairs=None if interpreter_ids else [frozenset((request.applicant_language, request.officer_language))],
        interpreter_ids=interpreter_ids,
    )
    return match(replace(request, objected_interpreter_ids=pool.objected), pool.candidates, now)


def booking_case(booking: Booking) -> ApplicantCase:
    """The applicant of a stored booking as the search links her (`booking_link`'s terms)."""
    keys = frozenset((booking.applicant_key,)) if booking.applicant_key else frozenset()
    return ApplicantCase(booking.country_id, booking.case_reference, keys)


def assess_valid(valid: ValidBooking, now: datetime, suggest: bool = True) -> Assessment:
    """`assess` for a booking not yet stored: the applicant's link, her objections to the candidates
    and (for continuity) whom she had last come in the search's statement, where they cost three
    round trips of their own before."""
    keys = frozenset(key.digest for key in valid.applicant_keys)
    case = ApplicantCase(valid.department.country_id, valid.case_reference, keys)
    return assess(_valid_request(valid, frozenset(), None), case, now, suggest, continuity=valid.continuity)


def assess(
    request: MatchRequest, applicant: ApplicantCase, now: datetime, suggest: bool = True, *, continuity: bool = False
) -> Assessment:
    """Direct matches; when no one covers the pair at all, a relay through English; when no one
    is free at that time, other times within a week. The applicant's objections (and, with
    `continuity`, whom she had last) come with the candidates, into the request."""
    direct_pair = frozenset((request.applicant_language, request.officer_language))
    span = Interval(request.interval.start, request.interval.end + (SUGGESTION_HORIZON if suggest else timedelta(0)))
    pool = candidate_pool(span, now, applicant, pairs=[direct_pair])
    last = pool.last_served if continuity else None
    request = replace(request, objected_interpreter_ids=pool.objected, continuity_interpreter_id=last)
    candidates = pool.candidates
    direct = match(request, candidates, now)
    if direct.eligible_count:
        return Assessment(direct, covered_directly=True)
    covered = bool(candidates)  # the SQL already kept only interpreters of the pair
    relay = None
    if not covered and RELAY_LANGUAGE not in direct_pair:
        # Only now the (much larger) English pairs are worth loading.
        relay_pairs = [
            frozenset((request.applicant_language, RELAY_LANGUAGE)),
            frozenset((RELAY_LANGUAGE, request.officer_language)),
        ]
        # Objections are read among the candidates searched, so the relay's come with its own.
        relay_pool = candidate_pool(request.interval, now, applicant, pairs=relay_pairs)
        objected = request.objected_interpreter_ids | relay_pool.objected
        relay = plan_relay(replace(request, objected_interpreter_ids=objected), relay_pool.candidates, now)
    suggestions: tuple[SlotSuggestion, ...] = ()
    if relay is None and suggest:
        suggestions = suggest_slots(request, candidates, now, horizon=SUGGESTION_HORIZON)
    return Assessment(direct, covered, relay, suggestions)


def objections_for(applicant: ApplicantLink) -> frozenset[int]:
    """Interpreters the applicant objected to, in this case or (through the key) in any country."""
    return frozenset(db.session.scalars(select(CaseObjection.interpreter_id).where(linked_objections(applicant))))


def last_interpreter_for(applicant: ApplicantLink, before: int | None = None) -> int | None:
    """The interpreter of the applicant's most recent delivered or confirmed session, in any
    linked case, for continuity."""
    statement = (
        select(Assignment.interpreter_id)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(
            linked_bookings(applicant),
            Booking.state.in_((BookingState.COMPLETED, BookingState.CONFIRMED, BookingState.IN_PROGRESS)),
            Assignment.released_at.is_(None),
            Assignment.leg == 1,
        )
        .order_by(Booking.starts_at.desc())
        .limit(1)
    )
    if before is not None:
        statement = statement.where(Booking.id != before)
    return db.session.scalar(statement)
