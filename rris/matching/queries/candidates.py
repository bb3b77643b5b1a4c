"""Snapshots of interpreters for the matching engine, read in one query.

The language pairs (or the ids asked for) choose the interpreters in SQL; every other rule is
the engine's, so that it can name the reason when it leaves someone out. Every kind of fact
about the chosen interpreters comes in one statement (`rris.matching.queries.candidate_query`):
one round trip per search, where a query per kind of fact cost a round trip each (most of a
search's time on PostgreSQL), and plain rows, where building ORM objects cost several times more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
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
from rris.matching.queries.candidate_query import Fact, facts_query
from rris.timeutil import ensure_utc


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
    no particular order (the engine does not depend on it).
    """
    statement, params = facts_query(
        span,
        now,
        None if pairs is None else list(pairs),
        None if interpreter_ids is None else list(interpreter_ids),
        applicant,
    )
    return _assemble(db.session.execute(statement, params).all())


class _Gathered:
    """The rows of one query, grouped by interpreter and kind."""

    def __init__(self) -> None:
        self.profiles: list[Row[Any]] = []
        self.pairs: dict[int, dict[frozenset[str], Proficiency]] = defaultdict(dict)
        self.dialects: dict[int, list[tuple[str, str]]] = defaultdict(list)
        self.accreditations: dict[int, list[AccreditationPeriod]] = defaultdict(list)
        self.specialisations: dict[int, list[Specialisation]] = defaultdict(list)
        self.windows: dict[int, list[WeeklyWindow]] = defaultdict(list)
        self.time_off: dict[int, list[Interval]] = defaultdict(list)
        self.commitments: dict[int, list[Commitment]] = defaultdict(list)
        self.booked: dict[int, int] = {}
        self.served: set[int] = set()

    def in_order(self) -> list[Row[Any]]:
        """The profiles' rows by interpreter id."""
        return sorted(self.profiles, key=lambda row: int(row[1]))

    def add(self, row: Row[Any]) -> None:  # noqa: C901 (one branch per kind of fact, each a line)
        """File one row under its interpreter."""
        kind, who, n0, n1, n2, s0, s1, s2, t0, t1, t2, t3, d0, d1, _f0, _f1 = row
        if kind == Fact.PROFILE:
            self.profiles.append(row)
        elif kind == Fact.PAIR:
            self.pairs[who][frozenset((s0, s1))] = Proficiency(s2)
        elif kind == Fact.DIALECT:
            self.dialects[who].append((s0, s1))
        elif kind == Fact.ACCREDITATION:
            self.accreditations[who].append(AccreditationPeriod(n0, d0, d1))
        elif kind == Fact.SPECIALISATION:
            self.specialisations[who].append(Specialisation(s0))
        elif kind == Fact.WINDOW:
            self.windows[who].append(WeeklyWindow(n0, n1, n2))
        elif kind == Fact.TIME_OFF:
            self.time_off[who].append(Interval(ensure_utc(t0), ensure_utc(t1)))
        elif kind == Fact.COMMITMENT:
            session = Interval(ensure_utc(t0), ensure_utc(t1))
            self.commitments[who].append(Commitment(n0, session, Interval(ensure_utc(t2), ensure_utc(t3))))
        elif kind == Fact.BOOKED:
            self.booked[who] = n0
        else:
            self.served.add(who)


def _assemble(rows: Sequence[Row[Any]]) -> list[Candidate]:
    facts = _Gathered()
    for row in rows:
        facts.add(row)
    return [
        Candidate(
            interpreter_id=who,
            name=name,
            active=bool(profile_active and user_active),
            gender=Gender(gender),
            timezone=timezone,
            pairs=facts.pairs[who],
            dialects=frozenset(facts.dialects[who]),
            accreditations=tuple(facts.accreditations[who]),
            specialisations=frozenset(facts.specialisations[who]),
            windows=tuple(facts.windows[who]),
            time_off=tuple(facts.time_off[who]),
            commitments=tuple(facts.commitments[who]),
            daily_cap_minutes=cap,
            rest_gap_minutes=gap,
            booked_minutes_last_30_days=facts.booked.get(who, 0),
            served_case_before=who in facts.served,
        )
        for _, who, cap, gap, _, name, gender, timezone, *_, profile_active, user_active in facts.in_order()
    ]
