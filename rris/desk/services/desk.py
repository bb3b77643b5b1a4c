"""The coordinators' desk: today and the next days at a glance, with the matching engine's
explanation of why each unfilled booking has no interpreter yet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from rris.bookings.models.bookings import Booking
from rris.common.domain.paging import Paging
from rris.desk.queries.desk import (
    LiveCall,
    WaitingPair,
    bookings_needing_interpreter,
    calls_in_progress,
    count_needing_interpreter,
    on_demand_waiting,
    upcoming_conflicts,
)
from rris.enums import BookingState
from rris.matching.domain.engine import Match, MatchResult
from rris.matching.domain.rules import RejectionReason
from rris.matching.models.conflicts import BookingConflict
from rris.matching.services.leg_matching import match_legs

UNFILLED_PAGE_ROWS = 10  # their legs are matched together: one read of the pool for the page
AT_RISK_HOURS = 24
TOP_CANDIDATES = 3


@dataclass(frozen=True)
class LegOutlook:
    """What the pool offers for one unassigned leg: the best candidates and the commonest rejections."""

    leg: int
    top: tuple[Match, ...]
    eligible: int
    considered: int  # interpreters of the leg's language pair the engine looked at
    reasons: tuple[tuple[RejectionReason, int], ...]  # most frequent first


@dataclass(frozen=True)
class Unfilled:
    """A booking without its interpreter, how long until it starts, and why no one fits."""

    booking: Booking
    time_left: timedelta  # negative once the session has started
    at_risk: bool
    legs: tuple[LegOutlook, ...]


@dataclass(frozen=True)
class Desk:
    """Everything the desk page shows, for the window from `now` to `until`."""

    now: datetime
    until: datetime
    unfilled: tuple[Unfilled, ...]
    unfilled_paging: Paging  # which page of the unfilled bookings `unfilled` is
    conflicts: tuple[BookingConflict, ...]
    calls: tuple[LiveCall, ...]
    on_demand: tuple[WaitingPair, ...]  # read-only: their queue rings interpreters


def desk(now: datetime, days: int = 3, page: int | None = None) -> Desk:
    """Unfilled bookings (soonest first, explained; the `page`th page of them), open conflicts and
    live calls for the next `days`, and the on-demand requests waiting now."""
    until = now + timedelta(days=days)
    paging = Paging.of(page, count_needing_interpreter(now, until), UNFILLED_PAGE_ROWS)
    listed = bookings_needing_interpreter(now, until, paging.rows, paging.offset)
    return Desk(
        now=now,
        until=until,
        unfilled=_unfilled(listed, now),
        unfilled_paging=paging,
        conflicts=tuple(upcoming_conflicts(now, until)),
        calls=tuple(calls_in_progress()),
        on_demand=tuple(on_demand_waiting()),
    )


def _unfilled(bookings: list[Booking], now: datetime) -> tuple[Unfilled, ...]:
    """Each booking with the outlook of each leg still without its interpreter, the legs of every
    booking put to the matching engine together (one read of the pool for the page)."""
    legs = [
        (booking, leg)
        for booking in bookings
        for leg in range(1, booking.leg_count + 1)
        if not booking.leg_assigned(leg)
    ]
    outlooks: dict[int, list[LegOutlook]] = {booking.id: [] for booking in bookings}
    for (booking, leg), result in zip(legs, match_legs(legs, now), strict=True):
        outlooks[booking.id].append(_outlook(leg, result))
    unfilled = []
    for booking in bookings:
        time_left = booking.starts_at - now
        at_risk = booking.state is BookingState.OFFERED and time_left <= timedelta(hours=AT_RISK_HOURS)
        unfilled.append(Unfilled(booking, time_left, at_risk, tuple(outlooks[booking.id])))
    return tuple(unfilled)


def _outlook(leg: int, result: MatchResult) -> LegOutlook:
    counted = Counter(rejection.reason for reasons in result.rejections.values() for rejection in reasons)
    return LegOutlook(
        leg=leg,
        top=result.matches[:TOP_CANDIDATES],
        eligible=result.eligible_count,
        considered=result.eligible_count + len(result.rejections),
        reasons=tuple(sorted(counted.items(), key=lambda item: (-item[1], item[0].value))),
    )
