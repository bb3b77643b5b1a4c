"""Work through rows that are due, oldest first, within a time budget.

The outbox (mail and SMS) and the webhook deliveries drain their due rows the same way; what
claiming, sending and recording one row means differs (at-most-once mail, at-least-once
webhooks) and stays with each of them. Webhooks take one row at a time (`drain_due`); the outbox
takes a batch at a time (`drain_batches`), read and worded together, each row still claimed alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from rris.extensions import db
from rris.timeutil import Clock


def drain_due(
    clock: Clock, budget: timedelta, due: Callable[[datetime], list[int]], handle: Callable[[int], str]
) -> Counter[str]:
    """Hand each due row id to `handle`, batch after batch, until none is due or `budget` is spent;
    how many times each outcome `handle` returned."""
    outcomes: Counter[str] = Counter()
    started = clock.now()
    while clock.now() - started < budget:
        ids = due(clock.now())
        if not ids:
            break
        for row_id in ids:
            outcomes[handle(row_id)] += 1
            if clock.now() - started >= budget:
                break
    return outcomes


def due_row_ids(model: Any, pending: object, now: datetime, limit: int) -> list[int]:
    """Ids of `model`'s rows in state `pending` whose `due_at` has come, oldest first.

    Ends the read transaction, so that each row is then claimed in its own write.
    """
    statement = (
        select(model.id)
        .where(model.state == pending, model.due_at <= now)
        .order_by(model.due_at, model.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(statement))
    db.session.commit()
    return ids


def drain_batches(
    clock: Clock,
    budget: timedelta,
    due: Callable[[datetime], list[int]],
    handle: Callable[[list[int], datetime], Counter[str]],
) -> Counter[str]:
    """Hand each batch of due row ids to `handle`, with the moment it must stop by, until none is
    due or `budget` is spent; how many times each outcome `handle` counted."""
    outcomes: Counter[str] = Counter()
    deadline = clock.now() + budget
    while clock.now() < deadline:
        ids = due(clock.now())
        if not ids:
            break
        outcomes.update(handle(ids, deadline))
    return outcomes
