"""The one query behind `candidate_snapshots`: every fact about the chosen interpreters, as a UNION ALL.

Each kind of fact is a branch in the common row shape of `rris.matching.queries.fact_rows`. The
statement is built once per shape (how many pairs choose the interpreters, whether ids narrow
them, how many cases the applicant has) with bound parameters for every value, and kept: building
and keying a fresh statement of this size on every search cost more than running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    or_,
    select,
    union_all,
)

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, CaseObjection
from rris.bookings.queries.applicant_links import ApplicantLink
from rris.common.models.durations import MICROSECONDS_PER_MINUTE, microseconds_between
from rris.common.models.types import UTCDateTime
from rris.enums import BookingState
from rris.matching.domain.snapshots import Interval
from rris.matching.queries.applicant_case import ApplicantCase, case_keys, keyed, linked_cases
from rris.matching.queries.fact_rows import Value, fact_row
from rris.matching.queries.window_reach import known_zones, narrowed, reach_params
from rris.pool.models.interpreters import (
    Accreditation,
    AvailabilityWindow,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    TimeOff,
    interpreter_dialects,
)
from rris.pool.models.languages import Dialect

FAIR_SHARE_PERIOD = timedelta(days=30)
# Commitments this far around the span matter: the same local day anywhere on earth, plus rest gaps.
MARGIN = timedelta(days=1, hours=14)
# An assignment's busy span is its session widened by at most this (the largest rest gap),
# so bounding busy_from/busy_until lets the (interpreter, busy_from, busy_until) index work.
MAX_REST_GAP = timedelta(minutes=240)
_DELIVERED = (BookingState.COMPLETED, BookingState.CONFIRMED, BookingState.IN_PROGRESS)
DELIVERED_STATES = frozenset(state.value for state in _DELIVERED)  # as a SERVED row's s0 names them
# Shapes: pairs asked (1-2), ids or not, cases of an applicant (a few), windows narrowed or not.
_STATEMENTS_KEPT = 128


class Fact(IntEnum):
    """The kinds of rows the query returns."""

    PROFILE = 0
    PAIR = 1
    DIALECT = 2
    ACCREDITATION = 3
    SPECIALISATION = 4
    WINDOW = 5
    TIME_OFF = 6
    COMMITMENT = 7
    BOOKED = 8  # one row per interpreter: the minutes summed
    SERVED = 9
    OBJECTED = 10  # the applicant objected to the interpreter


@dataclass(frozen=True)
class Shape:
    """What the statement's text depends on; every value is a bound parameter."""

    pairs: int | None  # how many language pairs choose the interpreters; None: every interpreter
    by_ids: bool  # whether a list of interpreter ids narrows them
    cases: int  # how many cases of the applicant mark who served them (0: nobody is marked)
    by_keys: bool  # whether regional applicant keys mark them too
    narrow_windows: bool  # whether windows are narrowed to the span in the zones met (else every one read)
    objections: bool  # whether the applicant's objections to the interpreters are read too
    case: bool  # whether the applicant is a case whose links the statement finds (`ApplicantCase`)


def facts_query(
    span: Interval,
    now: datetime,
    pairs: list[frozenset[str]] | None,
    interpreter_ids: list[int] | None,
    applicant: ApplicantLink | ApplicantCase | None,
    *,
    objections: bool = False,
) -> tuple[CompoundSelect[Any], dict[str, Any]]:
    """The kept statement for this search's shape, and the values of its parameters; with
    `objections`, the applicant's objections to the chosen interpreters come in it too. An
    `ApplicantCase` is linked to the applicant's other cases in the statement itself."""
    params: dict[str, Any] = {
        "reach_start": span.start - MARGIN,
        "reach_end": span.end + MARGIN,
        "fair_from": now - FAIR_SHARE_PERIOD,
        "busy_floor": now - FAIR_SHARE_PERIOD - MAX_REST_GAP,
        "now": now,
    }
    for index, (first, second) in enumerate(sorted(pair) for pair in pairs or ()):
        params[f"pair_a_{index}"], params[f"pair_b_{index}"] = first, second
    if interpreter_ids is not None:
        params["interpreter_ids"] = interpreter_ids
    link = applicant if isinstance(applicant, ApplicantLink) else None
    cases = sorted(link.cases) if link else []
    for index, (country_id, case_reference) in enumerate(cases):
        params[f"case_country_{index}"], params[f"case_reference_{index}"] = country_id, case_reference
    keys = sorted(link.keys) if link else []
    if keys:
        params["keys"] = keys
    case = applicant if isinstance(applicant, ApplicantCase) else None
    if case:
        params.update(case.params())
    zones = known_zones()
    reach = reach_params(span, zones) if zones else None
    if reach is not None:
        params.update(reach)
    shape = Shape(
        None if pairs is None else len(pairs),
        interpreter_ids is not None,
        len(cases),
        bool(keys or (case and case.keys)),
        reach is not None,
        objections and bool(cases or keys or case),
        case is not None,
    )
    return _statement(shape), params


@lru_cache(maxsize=_STATEMENTS_KEPT)
def _statement(shape: Shape) -> CompoundSelect[Any]:
    chosen = _chosen(shape)
    branches = [*_standing_facts(chosen), _windows(chosen, narrow=shape.narrow_windows), *_timed_facts(chosen)]
    if shape.case:
        branches.extend(_case_facts(chosen, shape))
    elif shape.cases or shape.by_keys:
        branches.append(_served(chosen, shape))
        if shape.objections:
            branches.append(_objected(chosen, shape))
    return union_all(*branches)


def _instant(name: str) -> BindParameter[datetime]:
    return bindparam(name, type_=UTCDateTime())


def _chosen(shape: Shape) -> CTE:
    statement = select(InterpreterProfile.id, InterpreterProfile.timezone)
    if shape.pairs is not None:
        either = or_(
            false(),
            *[
                and_(
                    LanguagePair.language_a == bindparam(f"pair_a_{index}", type_=String()),
                    LanguagePair.language_b == bindparam(f"pair_b_{index}", type_=String()),
                )
                for index in range(shape.pairs)
            ],
        )
        statement = statement.where(InterpreterProfile.id.in_(select(LanguagePair.interpreter_id).where(either)))
    if shape.by_ids:
        statement = statement.where(InterpreterProfile.id.in_(bindparam("interpreter_ids", expanding=True)))
    return statement.cte("chosen")


def _among(column: Value, chosen: CTE) -> ColumnElement[bool]:
    return column.in_(select(chosen.c.id))


def _standing_facts(chosen: CTE) -> list[Select[Any]]:
    """The facts that do not depend on the time: profile, pairs, dialects, accreditations,
    specialisations."""
    profile = InterpreterProfile
    return [
        fact_row(
            Fact.PROFILE,
            profile.id,
            n0=profile.daily_cap_minutes,
            n1=profile.rest_gap_minutes,
            s0=User.name,
            s1=profile.gender,
            s2=profile.timezone,
            f0=profile.active,
            f1=User.active,
        )
        .select_from(profile)
        .join(User, User.id == profile.user_id)
        .where(_among(profile.id, chosen)),
        fact_row(
            Fact.PAIR,
            LanguagePair.interpreter_id,
            s0=LanguagePair.language_a,
            s1=LanguagePair.language_b,
            s2=LanguagePair.proficiency,
        ).where(_among(LanguagePair.interpreter_id, chosen)),
        fact_row(Fact.DIALECT, interpreter_dialects.c.interpreter_id, s0=Dialect.language_code, s1=Dialect.name)
        .select_from(interpreter_dialects)
        .join(Dialect, Dialect.id == interpreter_dialects.c.dialect_id)
        .where(_among(interpreter_dialects.c.interpreter_id, chosen)),
        fact_row(
            Fact.ACCREDITATION,
            Accreditation.interpreter_id,
            n0=Accreditation.country_id,
            d0=Accreditation.valid_from,
            d1=Accreditation.valid_to,
        ).where(_among(Accreditation.interpreter_id, chosen)),
        fact_row(
            Fact.SPECIALISATION,
            InterpreterSpecialisation.interpreter_id,
            s0=InterpreterSpecialisation.specialisation,
        ).where(_among(InterpreterSpecialisation.interpreter_id, chosen)),
    ]


def _windows(chosen: CTE, *, narrow: bool) -> Select[Any]:
    """The weekly windows: those that can matter to the span (`rris.matching.queries.window_reach`),
    or every one unless `narrow`."""
    window = AvailabilityWindow
    row = fact_row(Fact.WINDOW, window.interpreter_id, n0=window.weekday, n1=window.start_minute, n2=window.end_minute)
    if not narrow:
        return row.where(_among(window.interpreter_id, chosen))
    return narrowed(row.select_from(window).join(chosen, chosen.c.id == window.interpreter_id), chosen.c.timezone)


def _timed_facts(chosen: CTE) -> list[Select[Any]]:
    """Time off and jobs around the span, and the minutes booked in the fair-share period before now."""
    reach_start, reach_end = _instant("reach_start"), _instant("reach_end")
    fair_from, busy_floor, now = _instant("fair_from"), _instant("busy_floor"), _instant("now")
    return [
        fact_row(Fact.TIME_OFF, TimeOff.interpreter_id, t0=TimeOff.starts_at, t1=TimeOff.ends_at).where(
            _among(TimeOff.interpreter_id, chosen), TimeOff.starts_at < reach_end, TimeOff.ends_at > reach_start
        ),
        _jobs(
            chosen,
            fact_row(
                Fact.COMMITMENT,
                Assignment.interpreter_id,
                n0=Booking.id,
                t0=Booking.starts_at,
                t1=Booking.ends_at,
                t2=Assignment.busy_from,
                t3=Assignment.busy_until,
            ),
        ).where(
            Assignment.busy_from < reach_end,
            Assignment.busy_until > reach_start,
            Booking.starts_at < reach_end,
            Booking.ends_at > reach_start,
        ),
        _jobs(chosen, fact_row(Fact.BOOKED, Assignment.interpreter_id, n0=_booked_minutes()))
        .where(
            Assignment.busy_from >= busy_floor,
            Assignment.busy_from < now,
            Booking.starts_at >= fair_from,
            Booking.starts_at < now,
        )
        .group_by(Assignment.interpreter_id),
    ]


def _booked_minutes() -> ColumnElement[int]:
    """The whole minutes of each session summed per interpreter: one row each, not one per
    session (a fifth of a search's rows). Exact (no float of seconds), the same whole minutes per
    session the engine always counted; positive durations, so the integer division is the floor."""
    minutes = microseconds_between(Booking.ends_at, Booking.starts_at) // MICROSECONDS_PER_MINUTE
    return cast(func.sum(minutes), Integer())  # PostgreSQL sums a bigint as numeric


def _served(chosen: CTE, shape: Shape) -> Select[Any]:
    """Who interpreted a delivered or confirmed session of the applicant, in any linked case.

    The same condition as `rris.bookings.queries.applicant_links.linked_bookings`, with its values
    bound: one equality pair per case (each searched by the case's index), and the keys.
    """
    linked = _linked(shape, Booking.country_id, Booking.case_reference, Booking.applicant_key)
    return _jobs(chosen, fact_row(Fact.SERVED, Assignment.interpreter_id)).where(linked, Booking.state.in_(_DELIVERED))


def _objected(chosen: CTE, shape: Shape) -> Select[Any]:
    """Which of the interpreters the applicant objected to, in any linked case: the condition of
    `rris.bookings.queries.applicant_links.linked_objections`, its values bound as in `_served`."""
    objection = CaseObjection
    linked = _linked(shape, objection.country_id, objection.case_reference, objection.applicant_key)
    return fact_row(Fact.OBJECTED, objection.interpreter_id).where(linked, _among(objection.interpreter_id, chosen))


def _case_facts(chosen: CTE, shape: Shape) -> list[Select[Any]]:
    """Who served the applicant of an `ApplicantCase`, and whom she objected to, over the cases and
    keys the statement links to it (`rris.matching.queries.applicant_case`).

    Her sessions come with their state, for the reader to keep the delivered ones, and for every
    interpreter: a condition on either would let SQLite's planner start from every delivered
    booking or every job of the chosen interpreters instead of from her few cases. Their start and
    leg tell the reader whom she had last (continuity), without a query of its own."""
    keys = case_keys()
    cases = linked_cases(keys, shape.by_keys)
    served = (
        fact_row(Fact.SERVED, Assignment.interpreter_id, n0=Assignment.leg, s0=Booking.state, t0=Booking.starts_at)
        .select_from(cases)
        .join(Booking, and_(Booking.country_id == cases.c.country_id, Booking.case_reference == cases.c.case_reference))
        .join(Assignment, Assignment.booking_id == Booking.id)
        .where(Assignment.released_at.is_(None))
    )
    if not shape.objections:
        return [served]
    objection = CaseObjection
    in_case = and_(objection.country_id == cases.c.country_id, objection.case_reference == cases.c.case_reference)
    return [
        served,
        fact_row(Fact.OBJECTED, objection.interpreter_id)
        .select_from(cases)
        .join(objection, in_case)
        .where(_among(objection.interpreter_id, chosen)),
        fact_row(Fact.OBJECTED, objection.interpreter_id).where(
            keyed(objection.applicant_key, keys, shape.by_keys), _among(objection.interpreter_id, chosen)
        ),
    ]


def _linked(shape: Shape, country: Value, reference: Value, key: Value) -> ColumnElement[bool]:
    """One equality pair per case of the applicant (each searched by the case's index), or a key."""
    by_case = [
        and_(
            country == bindparam(f"case_country_{index}", type_=Integer()),
            reference == bindparam(f"case_reference_{index}", type_=String()),
        )
        for index in range(shape.cases)
    ]
    by_key = [key.in_(bindparam("keys", expanding=True))] if shape.by_keys else []
    return or_(*by_case, *by_key)


def _jobs(chosen: CTE, row: Select[Any]) -> Select[Any]:
    """`row` over the unreleased assignments of the chosen interpreters, with their bookings."""
    return (
        row.select_from(Assignment)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(_among(Assignment.interpreter_id, chosen), Assignment.released_at.is_(None))
    )
