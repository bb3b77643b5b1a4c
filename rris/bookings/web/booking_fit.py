"""The booking page's "who fits, and why not": the engine's answer for each leg, shown the way a
coordinator reads it.

The eligible are listed, best first. The rejected are grouped by their first reason (the reasons
come in rule order) with a count; the first few of each group are named with every reason, the
rest behind a disclosure, so each one's reasons are still a click away. Interpreters without the
leg's language pair are only counted. The engine is asked about the pair's interpreters only:
asked about the whole pool it built a snapshot of every interpreter, most of them only to say
"not this pair".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rris.bookings.models.bookings import Booking
from rris.matching.domain.engine import Match, MatchResult
from rris.matching.domain.rules import Rejection, RejectionReason
from rris.matching.services.booking_matching import match_leg

NAMED_PER_REASON = 3  # rejected interpreters named before a group's disclosure

Rejected = tuple[int, tuple[Rejection, ...]]  # an interpreter's id, and every reason


@dataclass(frozen=True)
class RejectedGroup:
    """The rejected interpreters whose first reason is `reason`, by name."""

    reason: RejectionReason
    named: tuple[Rejected, ...]
    rest: tuple[Rejected, ...]

    @property
    def count(self) -> int:
        """How many interpreters the group holds."""
        return len(self.named) + len(self.rest)


@dataclass(frozen=True)
class LegFit:
    """One leg: the eligible, best first, the rejected of its pair in groups, and how many lack the pair."""

    matches: tuple[Match, ...]
    groups: tuple[RejectedGroup, ...]
    other_pairs: int


def booking_fit(booking: Booking, now: datetime, names: dict[int, str]) -> dict[int, LegFit]:
    """Each leg's fit, the pool being the interpreters in `names` (id to name)."""
    return {leg: leg_fit(match_leg(booking, leg, now), names) for leg in range(1, booking.leg_count + 1)}


def leg_fit(result: MatchResult, names: dict[int, str]) -> LegFit:
    """The engine's `result` for one leg, its rejections grouped by first reason (largest group
    first) and named in the order of `names`."""
    by_reason: dict[RejectionReason, list[Rejected]] = {}
    for interpreter_id in names:
        reasons = result.rejections.get(interpreter_id)
        if reasons:
            by_reason.setdefault(reasons[0].reason, []).append((interpreter_id, reasons))
    ordered = sorted(by_reason.items(), key=lambda item: (-len(item[1]), item[0].value))
    groups = tuple(
        RejectedGroup(reason, tuple(rows[:NAMED_PER_REASON]), tuple(rows[NAMED_PER_REASON:]))
        for reason, rows in ordered
    )
    considered = {match.interpreter_id for match in result.matches} | set(result.rejections)
    return LegFit(result.matches, groups, sum(1 for interpreter_id in names if interpreter_id not in considered))
