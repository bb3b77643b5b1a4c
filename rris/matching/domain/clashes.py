"""When two jobs of one interpreter clash, rest gap included: the rule, written once.

A job keeps its interpreter busy for the session with her rest gap before and after it
(`busy_interval`); that span is what an assignment stores. Two jobs clash when their busy
intervals share an instant (`jobs_clash`). The database refuses such a pair of unreleased
assignments by the same test on the stored spans (an exclusion constraint on PostgreSQL, a
trigger on SQLite): that is the guard under concurrency. The matching engine, the offers inbox
and the services ask this module beforehand, so what they say agrees with what it refuses.
"""

from __future__ import annotations

from datetime import timedelta

from rris.matching.domain.snapshots import Interval


def busy_interval(session: Interval, rest_gap_minutes: int) -> Interval:
    """The span a job keeps its interpreter from any other: the session with the rest gap on each side."""
    gap = timedelta(minutes=rest_gap_minutes)
    return Interval(session.start - gap, session.end + gap)


def jobs_clash(busy: Interval, other_busy: Interval) -> bool:
    """True when two jobs' busy intervals share an instant (half-open: one may end as the other starts)."""
    return busy.start < other_busy.end and other_busy.start < busy.end
