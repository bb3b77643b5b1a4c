"""Claiming a worded message in as few statements as each database allows: the message is marked
`sending` only if what it was worded from still holds (`rris.notifications.services.wording.Guard`).

On PostgreSQL, one statement: the outcome of the message sent before it recorded, its booking
locked with the guard's columns read again, and the claim. A message's cost there is its round
trips. On SQLite, whose write lock (`begin_write`) is the whole database's, the claim is one
UPDATE that checks the guard in the database; only when it fails are the guard's values read, to
tell a moved guard from a message someone else claimed (`rris.notifications.services.outbox`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Table,
    Update,
    bindparam,
    exists,
    func,
    literal,
    select,
    update,
)

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.enums import NotificationKind, NotificationState
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.models.notifications import Notification
from rris.notifications.services.wording import GUARD_COLUMNS, Guard

# What recording a sent message's outcome may set: the end of it, or a retry's new due time (a
# column an outcome leaves out keeps its value; state and outcome are always set).
OUTCOME_COLUMNS = ("state", "finished_at", "outcome", "due_at")


def claim_unchanged(
    guard: Guard, ready: bool, now: datetime, attempts: int, record: tuple[int, dict[str, Any]] | None
) -> tuple[tuple[Any, ...] | None, bool]:
    """In one statement: record `record` (a row left `sending` and the values that end it), lock
    the message's booking as `guards_now` does, and claim the message (`sending` at `now`, its
    `attempts`) if it is still pending, `ready` and its guard still holds; (the guard's values
    now, None when the row is gone; whether it was claimed). Waiting for the lock reads the booking
    as the change that held it left it."""
    recorded_id, values = record if record is not None else (None, {})
    unknown = set(values) - set(OUTCOME_COLUMNS)
    if unknown:
        raise ValueError(f"an outcome does not set {sorted(unknown)}")
    parameters = {
        "row_id": guard.notification_id,
        "ready": ready,
        "now": now,
        "claim_attempts": attempts,
        "recorded_id": recorded_id,
        **{f"was_{index}": value for index, value in enumerate(guard.values)},
        **{f"set_{name}": values.get(name) for name in OUTCOME_COLUMNS},
    }
    # No parameter is named as a column of notifications: an UPDATE takes such a parameter as a value to set.
    row = db.session.connection().execute(_CLAIM_UNCHANGED, parameters).one_or_none()
    if row is None:
        return None, False
    return tuple(row[1:-2]), bool(row[-1])


def claim_if_unchanged(guard: Guard, now: datetime, attempts: int) -> bool:
    """SQLite, under the database's write lock: claim the message (`sending` at `now`, its `attempts`)
    if it is still pending and its guard still holds, in one UPDATE; whether it was claimed."""
    parameters = {
        "row_id": guard.notification_id,
        "now": now,
        "claim_attempts": attempts,
        **{f"was_{index}": value for index, value in enumerate(guard.values)},
    }
    return db.session.connection().execute(_CLAIM_IF_UNCHANGED, parameters).rowcount == 1


def _guard_row(rows: FromClause) -> Select[Any]:
    """The message `row_id`'s guard columns, from the tables themselves (as Core, not through the ORM)."""
    bookings, users = cast("Table", Booking.__table__), cast("Table", User.__table__)
    conflicts = cast("Table", BookingConflict.__table__)
    guard_columns = [column.property.columns[0] for column in GUARD_COLUMNS]
    return (
        select(rows.c.id.label("row_id"), *(column.label(f"now_{n}") for n, column in enumerate(guard_columns)))
        .join(bookings, bookings.c.id == rows.c.booking_id)
        .join(users, users.c.id == rows.c.recipient_id)
        .outerjoin(conflicts, (conflicts.c.id == rows.c.version) & (rows.c.kind == NotificationKind.CONFLICT))
        .where(rows.c.id == bindparam("row_id"))
    )


def _unchanged(guard_row: Any) -> list[ColumnElement[bool]]:
    """The guard's columns in `guard_row` equal to the values the message was worded from (NULL to NULL too)."""
    return [
        guard_row.c[f"now_{n}"].is_not_distinct_from(bindparam(f"was_{n}", type_=column.type))
        for n, column in enumerate(GUARD_COLUMNS)
    ]


def _claim_if_unchanged() -> Update:
    """`claim_if_unchanged`'s statement."""
    rows = cast("Table", Notification.__table__)
    guard_row = _guard_row(rows.alias("worded")).subquery("now")
    unchanged = exists(select(guard_row.c.row_id).where(*_unchanged(guard_row)))
    return (
        update(rows)
        .where(rows.c.id == bindparam("row_id"), rows.c.state == NotificationState.PENDING, unchanged)
        .values(state=NotificationState.SENDING, claimed_at=bindparam("now"), attempts=bindparam("claim_attempts"))
    )


def _claim_unchanged() -> Select[Any]:
    """`claim_unchanged`'s statement: the outcome recorded, the guard's row locked and the claim, one CTE each."""
    rows = cast("Table", Notification.__table__)
    recorded = (
        update(rows)
        .where(rows.c.id == bindparam("recorded_id"), rows.c.state == NotificationState.SENDING)
        .values(
            state=bindparam("set_state", type_=rows.c.state.type),
            finished_at=func.coalesce(bindparam("set_finished_at", type_=rows.c.finished_at.type), rows.c.finished_at),
            outcome=bindparam("set_outcome", type_=rows.c.outcome.type),
            due_at=func.coalesce(bindparam("set_due_at", type_=rows.c.due_at.type), rows.c.due_at),
        )
        .returning(rows.c.id)
        .cte("recorded")
    )
    locked = _guard_row(rows).with_for_update(of=cast("Table", Booking.__table__)).cte("locked")
    unchanged = _unchanged(locked)
    claimed = (
        update(rows)
        .where(rows.c.id == locked.c.row_id, rows.c.state == NotificationState.PENDING, bindparam("ready"), *unchanged)
        .values(state=NotificationState.SENDING, claimed_at=bindparam("now"), attempts=bindparam("claim_attempts"))
        .returning(rows.c.id)
        .cte("claimed")
    )
    # A CTE that changes rows runs whether or not its rows are read; naming it keeps it in the statement.
    was_recorded = select(func.count()).select_from(recorded).scalar_subquery()
    was_claimed = select(func.count()).select_from(claimed).scalar_subquery()
    return select(*locked.c, (was_recorded >= literal(0)).label("recorded"), was_claimed.label("claimed"))


# Built once: a statement keeps its cache key, which for these costs more to work out than to run.
_CLAIM_UNCHANGED = _claim_unchanged()
_CLAIM_IF_UNCHANGED = _claim_if_unchanged()
