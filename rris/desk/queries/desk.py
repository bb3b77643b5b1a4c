"""What the coordinators' desk reads: bookings still without an interpreter, open conflicts on
upcoming sessions, the calls going on right now with who is in them, and the on-demand requests
waiting now per language pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallAttendance, CallStateChange
from rris.enums import BookingState, CallRole
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.ondemand.domain.states import OPEN_STATES
from rris.ondemand.models.ondemand import OnDemandCall

NEEDS_INTERPRETER = (BookingState.UNFILLED, BookingState.REQUESTED, BookingState.OFFERED)
CONFLICT_LIMIT = 100
CALL_LIMIT = 100
# A connection state worse than this list's earlier entries wins when one participant's peers differ.
_STATE_SEVERITY = ("connected", "connecting", "poor", "reconnecting", "failed", "closed")


@dataclass(frozen=True)
class Presence:
    """One participant in a call now: their side, how they came in, and their connection state."""

    name: str
    role: CallRole
    channel: str  # "browser" or "phone"
    joined_at: datetime
    state: str | None  # the worst latest state towards any peer; None before the first report


@dataclass(frozen=True)
class LiveCall:
    """A booking whose call has someone in it now."""

    booking: Booking
    present: tuple[Presence, ...]

    def side(self, role: CallRole) -> tuple[Presence, ...]:
        """The participants on one side of the call."""
        return tuple(person for person in self.present if person.role is role)

    @property
    def both_joined(self) -> bool:
        """Officer and interpreter sides are both in the call."""
        return bool(self.side(CallRole.OFFICER)) and bool(self.side(CallRole.INTERPRETER))

    @property
    def on_phone(self) -> bool:
        return any(person.channel == "phone" for person in self.present)


def _needing_interpreter(now: datetime, until: datetime) -> list[ColumnElement[bool]]:
    return [
        Booking.state.in_(NEEDS_INTERPRETER),
        Booking.on_demand.is_(False),
        Booking.ends_at > now,
        Booking.starts_at < until,
    ]


def bookings_needing_interpreter(now: datetime, until: datetime, limit: int, offset: int = 0) -> list[Booking]:
    """Bookings still without an interpreter that have not ended and start before `until`, soonest first
    (`limit` of them after the first `offset`). On-demand requests are not among them: their queue
    rings interpreters, nobody assigns them by hand."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(*_needing_interpreter(now, until))
            .options(
                selectinload(Booking.department),
                selectinload(Booking.country),
                # what each one's run of the matching engine reads: with the page, not one query each
                selectinload(Booking.specialisations),
                selectinload(Booking.assignments),
            )
            .order_by(Booking.starts_at, Booking.id)
            .limit(limit)
            .offset(offset)
        )
    )


def count_needing_interpreter(now: datetime, until: datetime) -> int:
    """How many bookings `bookings_needing_interpreter` would list without a limit."""
    return db.session.scalar(select(func.count(Booking.id)).where(*_needing_interpreter(now, until))) or 0


@dataclass(frozen=True)
class WaitingPair:
    """The on-demand requests of one language pair waiting or ringing now, and when the oldest came."""

    languages: tuple[str, ...]  # the pair's ISO 639-3 codes, sorted as the queue names them
    requests: int
    oldest_requested_at: datetime


def on_demand_waiting() -> list[WaitingPair]:
    """Per language pair, the open on-demand requests (served by their queue, never by hand), the
    longest-waiting pair first."""
    oldest = func.min(OnDemandCall.requested_at)
    rows = db.session.execute(
        select(OnDemandCall.pair_key, func.count(), oldest)
        .where(OnDemandCall.state.in_(OPEN_STATES))
        .group_by(OnDemandCall.pair_key)
        .order_by(oldest, OnDemandCall.pair_key)
    )
    return [WaitingPair(tuple(key.split(":")), count, since) for key, count, since in rows]


def upcoming_conflicts(now: datetime, until: datetime) -> list[BookingConflict]:
    """Unresolved conflicts on sessions that have not ended and start before `until`, soonest first."""
    return list(
        db.session.scalars(
            select(BookingConflict)
            .join(Booking, Booking.id == BookingConflict.booking_id)
            .where(BookingConflict.resolved_at.is_(None), Booking.ends_at > now, Booking.starts_at < until)
            .options(selectinload(BookingConflict.interpreter), selectinload(BookingConflict.booking))
            .order_by(Booking.starts_at, BookingConflict.id)
            .limit(CONFLICT_LIMIT)
        )
    )


def calls_in_progress() -> list[LiveCall]:
    """Bookings with open attendances (nobody has left them yet), by start, with who is present."""
    attendances = db.session.scalars(
        select(CallAttendance)
        .where(CallAttendance.left_at.is_(None))
        .options(selectinload(CallAttendance.booking), selectinload(CallAttendance.user))
        .order_by(CallAttendance.booking_id, CallAttendance.joined_at, CallAttendance.id)
    ).all()
    states = _latest_states([attendance.id for attendance in attendances])
    by_booking: dict[int, list[Presence]] = {}
    bookings: dict[int, Booking] = {}
    for attendance in attendances:
        bookings[attendance.booking_id] = attendance.booking
        by_booking.setdefault(attendance.booking_id, []).append(
            Presence(
                name=attendance.user.name if attendance.user else (attendance.display_name or "?"),
                role=attendance.role,
                channel=attendance.channel,
                joined_at=attendance.joined_at,
                state=_worst(states.get(attendance.id, [])),
            )
        )
    calls = [LiveCall(bookings[key], tuple(present)) for key, present in by_booking.items()]
    calls.sort(key=lambda call: (call.booking.starts_at, call.booking.id))
    return calls[:CALL_LIMIT]


def _latest_states(attendance_ids: list[int]) -> dict[int, list[str]]:
    """Per attendance, the latest reported state towards each of its peers."""
    if not attendance_ids:
        return {}
    latest = (
        select(func.max(CallStateChange.id))
        .where(CallStateChange.attendance_id.in_(attendance_ids))
        .group_by(CallStateChange.attendance_id, CallStateChange.peer)
    )
    rows = db.session.execute(
        select(CallStateChange.attendance_id, CallStateChange.state).where(CallStateChange.id.in_(latest))
    )
    found: dict[int, list[str]] = {}
    for attendance_id, state in rows:
        found.setdefault(attendance_id, []).append(state)
    return found


def _worst(states: list[str]) -> str | None:
    if not states:
        return None
    return max(states, key=lambda state: _STATE_SEVERITY.index(state) if state in _STATE_SEVERITY else 0)
