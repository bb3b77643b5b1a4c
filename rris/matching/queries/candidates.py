"""Snapshots of interpreters for the matching engine, read in one query.

The language pairs (or the ids asked for) choose the interpreters in SQL; every other rule is
the engine's, so that it can name the reason when it leaves someone out. Every kind of fact
about the chosen interpreters comes in one statement (`rris.matching.queries.candidate_query`):
one round trip per search, where a query per kind of fact cost a round trip each (most of a
search's time on PostgreSQL), and plain rows, where building ORM objects cost several times more.
Of the weekly windows only those that can matter to the span are read
(`rris.matching.queries.window_reach`), and `candidate_pool` reads the applicant's objections in
the same statement, where a search asked for them in a round trip of their own before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row

from rris.bookings.queries.applicant_links import ApplicantLink
from rris.enums import Gender, Proficiency, Specialisation
from rris.extensions import db
from rris.matching.domain.snapshots import (
    AccreditationPeriod,
    Candidate,
    Commitment,
    Interval,
    WeeklyWindow,
)
from rris.matching.queries.applicant_case import ApplicantCase
from rris.matching.queries.candidate_query import DELIVERED_STATES, Fact, facts_query
from rris.matching.queries.fact_rows import day, instant
from rris.matching.queries.window_reach import learn_zones


@dataclass(frozen=True)
class CandidatePool:
    """The snapshots, and which of those interpreters the applicant objected to."""

    candidates: list[Candidate]
    objected: frozenset[int]
    # For an `ApplicantCase`: the interpreter of her latest delivered or confirmed session (its
    # first leg) in any linked case, as `booking_matching.last_interpreter_for` finds it.
    last_served: int | None = None


def candidate_snapshots(
    span: Interval,
    now: datetime,
    pairs: Iterable[frozenset[str]] | None = None,
    interpreter_ids: Iterable[int] | None = None,
    applicant: ApplicantLink | None = None,
) -> list[Candidate]:
    """Interpreters covering one of `pairs` (all when None), with what the engine needs around `span`.

    Interpreters who served the `applicant` (their case, or a case linked by the regional
    applicant key) are marked. The candidates come in the order of their ids; each one's facts in
    no particular order (the engine does not depend on it). Their weekly windows are those that
    can matter to a time within `span` (at least those; `rris.matching.queries.window_reach`).
    """
    return _read(span, now, pairs, interpreter_ids, applicant, objections=False).candidates


def candidate_pool(
    span: Interval,
    now: datetime,
    applicant: ApplicantLink | ApplicantCase,
    pairs: Iterable[frozenset[str]] | None = None,
    interpreter_ids: Iterable[int] | None = None,
) -> CandidatePool:
    """`candidate_snapshots`, with the interpreters among them the `applicant` objected to (in this
    case or, through the key, in any country), read in the same statement; an `ApplicantCase` is
    linked to the applicant's other cases there too, without a query of its own."""
    return _read(span, now, pairs, interpreter_ids, applicant, objections=True)


def _read(  # noqa: PLR0913 (the search's terms, passed through)
    span: Interval,
    now: datetime,
    pairs: Iterable[frozenset[str]] | None,
    interpreter_ids: Iterable[int] | None,
    applicant: ApplicantLink | ApplicantCase | None,
    *,
    objections: bool,
) -> CandidatePool:
    statement, params = facts_query(
        span,
        now,
        None if pairs is None else list(pairs),
        None if interpreter_ids is None else list(interpreter_ids),
        applicant,
        objections=objections,
    )
    return _assemble(db.session.execute(statement, params).all())


# Values many interpreters share, built once: enum members by stored value, and the immutable
# windows and accreditation periods interned (a row costs a lookup, not a construction).
_GENDERS = {member.value: member for member in Gender}
_PROFICIENCIES = {member.value: member for member in Proficiency}
_SPECIALISATIONS = {member.value: member for member in Specialisation}
_window = lru_cache(maxsize=4096)(WeeklyWindow)


@lru_cache(maxsize=4096)
def _accreditation(country_id: int, valid_from: date | str, valid_to: date | str) -> AccreditationPeriod:
    return AccreditationPeriod(country_id, day(valid_from), day(valid_to))


def _assemble(rows: Sequence[Row[Any]]) -> CandidatePool:  # noqa: C901, PLR0912 (one branch per kind of fact)
    """Group the rows by interpreter and kind (the most frequent kinds tested first) into snapshots."""
    profiles: list[Row[Any]] = []
    pairs: dict[int, dict[frozenset[str], Proficiency]] = defaultdict(dict)
    dialects: dict[int, list[tuple[str, str]]] = defaultdict(list)
    accreditations: dict[int, list[AccreditationPeriod]] = defaultdict(list)
    specialisations: dict[int, list[Specialisation]] = defaultdict(list)
    windows: dict[int, list[WeeklyWindow]] = defaultdict(list)
    time_off: dict[int, list[Interval]] = defaultdict(list)
    commitments: dict[int, list[Commitment]] = defaultdict(list)
    booked: dict[int, int] = {}
    served: set[int] = set()
    objected: set[int] = set()
    last: tuple[datetime, int] | None = None  # the latest session served (first leg): its start, who
    window, accreditation, proficiencies, specialisation = _window, _accreditation, _PROFICIENCIES, _SPECIALISATIONS
    for row in rows:
        kind, who, n0, n1, n2, s0, s1, s2, t0, t1, t2, t3, d0, d1, _, _ = row
        if kind == _WINDOW:
            windows[who].append(window(n0, n1, n2))
        elif kind == _ACCREDITATION:
            accreditations[who].append(accreditation(n0, d0, d1))
        elif kind == _PAIR:
            pairs[who][frozenset((s0, s1))] = proficiencies[s2]
        elif kind == _SPECIALISATION:
            specialisations[who].append(specialisation[s0])
        elif kind == _PROFILE:
            profiles.append(row)
        elif kind == _BOOKED:
            booked[who] = n0
        elif kind == _COMMITMENT:
            session = Interval(instant(t0), instant(t1))
            commitments[who].append(Commitment(n0, session, Interval(instant(t2), instant(t3))))
        elif kind == _TIME_OFF:
            time_off[who].append(Interval(instant(t0), instant(t1)))
        elif kind == _DIALECT:
            dialects[who].append((s0, s1))
        elif kind == _SERVED:
            if s0 is None:
                served.add(who)
            elif s0 in DELIVERED_STATES:  # an ApplicantCase's sessions come with their state, start and leg
                served.add(who)
                if n0 == 1 and (last is None or instant(t0) > last[0]):
                    last = (instant(t0), who)
        else:
            objected.add(who)
    profiles.sort(key=lambda row: int(row[1]))
    found = [
        Candidate(
            interpreter_id=who,
            name=name,
            active=bool(profile_active and user_active),
            gender=_GENDERS[gender],
            timezone=timezone,
            pairs=pairs[who],
            dialects=frozenset(dialects[who]),
            accreditations=tuple(accreditations[who]),
            specialisations=frozenset(specialisations[who]),
            windows=tuple(windows[who]),
            time_off=tuple(time_off[who]),
            commitments=tuple(commitments[who]),
            daily_cap_minutes=cap,
            rest_gap_minutes=gap,
            booked_minutes_last_30_days=booked.get(who, 0),
            served_case_before=who in served,
        )
        for _, who, cap, gap, _, name, gender, timezone, *_, profile_active, user_active in profiles
    ]
    learn_zones({candidate.timezone for candidate in found})
    return CandidatePool(found, frozenset(objected), None if last is None else last[1])


_PROFILE, _PAIR, _DIALECT, _ACCREDITATION, _SPECIALISATION = (
    Fact.PROFILE.value,
    Fact.PAIR.value,
    Fact.DIALECT.value,
    Fact.ACCREDITATION.value,
    Fact.SPECIALISATION.value,
)
_WINDOW, _TIME_OFF, _COMMITMENT = Fact.WINDOW.value, Fact.TIME_OFF.value, Fact.COMMITMENT.value
_BOOKED, _SERVED = Fact.BOOKED.value, Fact.SERVED.value
