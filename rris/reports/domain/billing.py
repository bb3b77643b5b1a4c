"""What a session bills: which of its seconds count as delivered, and what an interpreter's
seconds cost at their rate. Pure. The rules are stated in `rris.reports.domain.reports`;
on-demand sessions bill by exactly these rules, like every other session."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from rris.enums import BookingState

CENT = Decimal("0.01")
SECONDS_PER_HOUR = 3600

Amount = TypeVar("Amount", int, Decimal)  # seconds, or what they cost


@dataclass(frozen=True)
class ChargeRow:
    """One interpreter holding a leg of a booking, with their rate."""

    booking_id: int
    hourly_rate: Decimal
    currency: str


def is_delivered(state: BookingState) -> bool:
    """A session is delivered when it is completed."""
    return state is BookingState.COMPLETED


def billable(state: BookingState, has_summary: bool, by_summary: Amount, by_booking: Amount) -> Amount:
    """What of a session counts as delivered: nothing unless delivered, then what its call summary
    gives, else what its booked duration gives (seconds, or the cost of those seconds)."""
    if not is_delivered(state):
        return by_booking * 0
    return by_summary if has_summary else by_booking


def session_cost(seconds: int, hourly_rate: Decimal) -> Decimal:
    """What `seconds` at `hourly_rate` cost, rounded to the cent half-up (37 min at 25.00 → 15.42)."""
    exact = Decimal(seconds) * Decimal(hourly_rate) / SECONDS_PER_HOUR
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def session_cost_cents(seconds: int, rate_cents: int) -> int:
    """`session_cost` in whole cents, for a rate in whole cents, by integer arithmetic only:
    ⌊(2 × seconds × rate + 3600) / 7200⌋ is seconds × rate / 3600 rounded half up. The database
    computes exactly this (`rris.reports.queries.reports`), so that it can sum costs without rounding drift."""
    return (2 * seconds * rate_cents + SECONDS_PER_HOUR) // (2 * SECONDS_PER_HOUR)


def cents_to_amount(cents: int) -> Decimal:
    """Whole cents as an amount to the cent (2158 → 21.58)."""
    return (Decimal(cents) / 100).quantize(CENT)


@dataclass(frozen=True, slots=True)
class ChargeGroup:
    """What the interpreters holding legs of like sessions bill, per session and interpreter
    rounded to the cent, then summed: once for the call summaries' seconds, once for the booked
    seconds (`billable` picks which counts)."""

    country_code: str
    currency: str
    state: BookingState
    has_summary: bool
    sessions: int  # the sessions billed (one with two interpreters in this currency counts once)
    cost_by_summary: Decimal
    cost_by_booking: Decimal
    seconds_by_summary: int = 0  # the interpreter time billed (each interpreter's, so twice for two)
    seconds_by_booking: int = 0

    @property
    def billable_cost(self) -> Decimal:
        return billable(self.state, self.has_summary, self.cost_by_summary, self.cost_by_booking)

    @property
    def billable_seconds(self) -> int:
        return billable(self.state, self.has_summary, self.seconds_by_summary, self.seconds_by_booking)
