"""Write transactions that are safe under concurrency on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import Executable
from sqlalchemy.sql.base import ExecutableOption

from rris.bookings.models.bookings import Booking
from rris.database import IMMEDIATE
from rris.extensions import db
from rris.pool.models.interpreters import InterpreterProfile


def begin_write() -> None:
    """Start the write transaction of a use case; call before reading what the decision depends on.

    Ends any read transaction first (objects read so far are reloaded on access), then on
    SQLite takes the database's write lock at BEGIN, which serialises writers. PostgreSQL
    needs nothing here: services lock the rows they decide on with FOR UPDATE.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={IMMEDIATE: True})


def lock_booking(booking_id: int, *load: ExecutableOption) -> Booking:
    """The booking, freshly read and locked for this transaction (after `begin_write`).

    Every writer of a booking's offers, assignments or outbox takes this lock first, so their
    order is the same everywhere and they cannot deadlock. `load`: loader options for what the
    caller is about to read anyway (joined rows come in the same round trip; only the booking's
    own row is locked).
    """
    statement = select(Booking).where(Booking.id == booking_id).options(*load).with_for_update(of=Booking)
    return db.session.scalars(statement.execution_options(populate_existing=True)).unique().one()


def lock_interpreter(interpreter_id: int) -> None:
    """Queue this transaction behind any other giving the interpreter a job (after `lock_booking`).

    Whoever waited here then sees the jobs committed before it in the interpreter's calendar, so
    a lost race is found by the same check on SQLite (one writer at a time anyway) and on
    PostgreSQL, instead of by the database's constraint on one and the check on the other.
    """
    db.session.scalar(select(InterpreterProfile.id).where(InterpreterProfile.id == interpreter_id).with_for_update())


def lock_interpreter_profile(interpreter_id: int) -> InterpreterProfile:
    """`lock_interpreter`, giving the interpreter's profile and account freshly read with the lock
    (one round trip where the lock and reading both again after `begin_write` took three)."""
    statement = (
        select(InterpreterProfile)
        .where(InterpreterProfile.id == interpreter_id)
        .options(joinedload(InterpreterProfile.user, innerjoin=True))
        .with_for_update(of=InterpreterProfile)
    )
    return db.session.scalars(statement.execution_options(populate_existing=True)).one()


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; how many rows it changed."""
    # A DML statement always gives a CursorResult, the kind of Result that counts rows.
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount
