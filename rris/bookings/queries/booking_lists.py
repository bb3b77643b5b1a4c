"""The booking lists people look at: upcoming, needing attention, past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import booking_filter
from rris.bookings.domain.booking_states import FINAL_STATES
from rris.bookings.models.bookings import Assignment, Booking
from rris.common.models.planner_hints import likely
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile

LISTS = ("upcoming", "attention", "past")
LIST_PAGE_ROWS = 50  # bookings on one page of a list
_OPEN = [state for state in BookingState if state not in FINAL_STATES]


def booking_list(actor: Actor, which: str, now: datetime) -> Select[tuple[Booking]]:
    """Bookings the actor may see, for one of the LISTS."""
    statement = select(Booking).where(booking_filter(actor, now))
    if which == "attention":
        statement = statement.where(
            Booking.state.in_((BookingState.UNFILLED, BookingState.OFFERED, BookingState.REQUESTED)),
            Booking.on_demand.is_(False),  # served by its queue and rings: nothing to do by hand
            Booking.ends_at > now,
        ).order_by(Booking.starts_at)
    elif which == "past":
        statement = statement.where((Booking.ends_at <= now) | Booking.state.in_(list(FINAL_STATES))).order_by(
            Booking.starts_at.desc()
        )
    else:
        statement = statement.where(Booking.ends_at > now - timedelta(hours=1), _open()).order_by(Booking.starts_at)
    return statement


def _open() -> ColumnElement[bool]:
    """The booking is in no final state, in the words of the open bookings' partial index (migration
    0031), so that SQLite walks it by start and stops at the page's last row.

    SQLite uses a partial index only when the query repeats the index's condition term for term,
    and bound values inside an IN list are not compared with the index's literals: the states are
    written into the statement. Without statistics its planner also takes a state IN list for a
    few rows, and preferred to read every open booking by the state index and sort them all
    (40-75 ms against 5-12 ms on the benchmark's pool); `likely` tells it otherwise."""
    return likely(Booking.state.in_(bindparam("open_states", [state.value for state in _OPEN], literal_execute=True)))


@dataclass(frozen=True)
class BookingListPage:
    """One page of one of the LISTS, and whether another follows (no count: a region's list runs to
    a hundred thousand bookings, and counting them would cost more than showing a page)."""

    bookings: list[Booking]
    page: int
    has_next: bool
    pages: None = None  # unknown: the pager links to the next page while there is one


def booking_list_page(actor: Actor, which: str, now: datetime, page: int | None) -> BookingListPage:
    """The `page`th page (from 1) of one of the LISTS, with what each row shows (department,
    assignments and their interpreters' names) loaded with the page rather than a query per row."""
    page = max(page or 1, 1)
    rows = booking_list(actor, which, now).options(
        joinedload(Booking.department),
        selectinload(Booking.assignments).joinedload(Assignment.interpreter).joinedload(InterpreterProfile.user),
    )
    window = rows.order_by(Booking.id).limit(LIST_PAGE_ROWS + 1).offset((page - 1) * LIST_PAGE_ROWS)
    bookings = list(db.session.scalars(window))
    return BookingListPage(bookings[:LIST_PAGE_ROWS], page, len(bookings) > LIST_PAGE_ROWS)
