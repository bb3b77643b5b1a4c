"""Sending what the outbox holds: read and word a batch of due messages together, then claim,
send and record them one at a time.

Delivery is at most once. A row is marked `sending` and committed before the message leaves,
and `sent` after, in the transaction that claims the next message (or alone after a batch's
last); a dispatcher that dies in between leaves it `sending`, and the next one marks it
`uncertain` instead of sending it again. A message handed over whose answer never came (the
mail server or Twilio timed out after receiving it) is `uncertain` too, never retried: only
failures before the hand-over are tried again. The window is one message per dispatcher: at
most one row is `sending` at a time, from its claim until the next claim commits (milliseconds
after the provider accepted it). A crash before the provider accepted it loses that one message;
it is listed as uncertain for the coordinators, never silently repeated.

A batch is worded before its messages are claimed (`rris.notifications.services.wording`); each
claim locks the message's booking and checks that nothing the wording depended on changed since
(`Guard`). If something did, the message is read and worded again under that lock before it is
claimed, so it never goes out stale; what a recipient set for themselves alone (their language,
zone or phone, which the guard does not follow) is as of the batch's reading, at most one batch
(`BATCH_SIZE` messages) of sending before the send.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, func, select, update

from rris.common.services.draining import drain_batches, due_row_ids
from rris.common.services.transactions import begin_write, rows_changed
from rris.enums import Channel, NotificationState
from rris.extensions import db
from rris.notifications.models.notifications import Notification
from rris.notifications.services.channels import CHANNELS
from rris.notifications.services.channels.base import MaybeDelivered, Refused, Send, TryLater
from rris.notifications.services.claims import claim_if_unchanged, claim_unchanged
from rris.notifications.services.messages import Letterhead
from rris.notifications.services.wording import Settled, Worded, guards_now, word_batch
from rris.timeutil import Clock

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# At most this many messages falling due at one time are worded ahead, while a run waits for them,
# in batches of at most AHEAD_BATCH: wording that runs past their time delays the first by one such batch.
AHEAD_LIMIT = 1_000
AHEAD_BATCH = 50
# A failed send is tried again after these delays, while the message is still useful.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


@dataclass
class DispatchReport:
    """What one run of the dispatcher did."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    uncertain: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.failed + self.retried + self.uncertain


def dispatch_due(  # noqa: PLR0913 (how long a run may go on, and how it waits)
    clock: Clock,
    letterhead: Letterhead,
    budget: timedelta = timedelta(seconds=30),
    batch_size: int = BATCH_SIZE,
    lookahead: timedelta = timedelta(0),
    wait: Callable[[float], None] | None = None,
) -> DispatchReport:
    """Send every due message under `letterhead`, oldest first, until none is due or the time budget is spent.

    Given `wait` (seconds; `time.sleep` in the scheduler), a run that finds nothing more due waits
    for the next message falling due within `lookahead` and sends it at its time, instead of
    leaving it to the next run up to a poll interval late; what falls due then is read and worded
    before the wait, so at its time it only has to be claimed and sent.
    """
    started = clock.now()
    outcomes: Counter[str] = Counter()
    due = lambda now: due_ids(now, batch_size)  # noqa: E731
    with dispatching(clock, letterhead) as dispatcher:
        while True:
            outcomes.update(drain_batches(clock, budget - (clock.now() - started), due, dispatcher.batch))
            now = clock.now()
            if wait is None or now - started >= budget:  # else nothing was due when the drain stopped
                break
            upcoming = next_due(now + lookahead)
            if upcoming is None or upcoming - started >= budget:
                break
            ahead = _word_ahead(dispatcher, upcoming, batch_size)
            wait(max((upcoming - clock.now()).total_seconds(), 0.0))
            outcomes.update(dispatcher.send(ahead, started + budget))
    return DispatchReport(**outcomes)


def _word_ahead(dispatcher: Dispatcher, upcoming: datetime, batch_size: int) -> list[Worded | Settled]:
    """What falls due by `upcoming`, worded batch after batch while there is time before it (up to
    `AHEAD_LIMIT` rows, `AHEAD_BATCH` at a time): at their time what is left is to claim and send them."""
    read: list[int] = []
    ahead: list[Worded | Settled] = []
    size = min(batch_size, AHEAD_BATCH)
    while dispatcher.clock.now() < upcoming and len(read) < AHEAD_LIMIT:
        ids = due_ids(upcoming, len(read) + size)[len(read) :]  # the next batch: the rest are still pending
        if not ids:
            break
        read += ids
        ahead += dispatcher.word(ids)
    return ahead


def due_ids(now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Pending messages whose time has come, oldest first."""
    return due_row_ids(Notification, NotificationState.PENDING, now, limit)


def next_due(until: datetime) -> datetime | None:
    """When the first pending message falls due, if by `until`; ends the read transaction."""
    pending = (Notification.state == NotificationState.PENDING, Notification.due_at <= until)
    due_at = db.session.scalar(select(func.min(Notification.due_at)).where(*pending))
    db.session.commit()
    return due_at


@contextmanager
def dispatching(clock: Clock, letterhead: Letterhead) -> Iterator[Dispatcher]:
    """A dispatcher for one run, with what each channel shares for the whole run (one SMTP connection)."""
    with ExitStack() as run:
        yield Dispatcher(
            clock, letterhead, {channel: run.enter_context(way.session()) for channel, way in CHANNELS.items()}
        )


class Dispatcher:
    """One run's sending: its clock, letterhead and open channel sessions, and the outcome of the
    message last sent, recorded with the next claim."""

    def __init__(self, clock: Clock, letterhead: Letterhead, senders: dict[Channel, Send[Any]]) -> None:
        self.clock, self.letterhead, self.senders = clock, letterhead, senders
        self.unrecorded: tuple[int, dict[str, Any]] | None = None

    def batch(self, ids: list[int], deadline: datetime) -> Counter[str]:
        """Word the due rows `ids` together, then settle, claim, send and record them until `deadline`;
        how many ended each way."""
        decided = self.word(ids)
        outcomes = self.send(decided, deadline)
        outcomes["skipped"] += len(ids) - len(decided)  # gone with their booking, or no longer pending
        return outcomes

    def word(self, ids: list[int]) -> list[Worded | Settled]:
        """The due rows `ids` still pending, read together, checked and worded as of now; ends the read."""
        decided = word_batch(ids, self.clock.now(), self.letterhead)
        db.session.commit()
        return decided

    def send(self, decided: list[Worded | Settled], deadline: datetime) -> Counter[str]:
        """Mark what is not to go out, in one transaction, then claim, send and record the rest one
        at a time until `deadline`, each only if what it was worded from still holds (else worded
        again first); how many ended each way."""
        outcomes: Counter[str] = Counter()
        worded = [item for item in decided if isinstance(item, Worded)]
        settled = [item for item in decided if isinstance(item, Settled)]
        if settled:
            worded += self._settle(settled, outcomes)
        try:
            for item in worded:
                now = self.clock.now()
                if now >= deadline:
                    break  # left pending, for the next run
                if now < item.due_at:
                    continue  # worded ahead, and the wait for it ended early: left for the next drain
                outcomes[self._claim_and_send(item)] += 1
        finally:
            self._record_alone()
        return outcomes

    def _settle(self, settled: list[Settled], outcomes: Counter[str]) -> list[Worded]:
        """Mark skipped or failed, in one transaction, the messages whose guard holds; the others
        are worded again under their bookings' locks. What those now say to send is returned."""
        begin_write()
        now_values = guards_now([item.guard.notification_id for item in settled])
        stale = [
            item.guard.notification_id
            for item in settled
            if not item.guard.holds(now_values.get(item.guard.notification_id))
        ]
        fresh = word_batch(stale, self.clock.now(), self.letterhead) if stale else []
        to_send = [item for item in fresh if isinstance(item, Worded)]
        for item in [item for item in settled if item.guard.notification_id not in stale] + [
            item for item in fresh if isinstance(item, Settled)
        ]:
            if _change(
                item.guard.notification_id,
                NotificationState.PENDING,
                **_finished(item.state, self.clock.now(), item.outcome),
            ):
                outcomes[item.state.value] += 1
        db.session.commit()
        return to_send

    def _claim_and_send(self, item: Worded) -> str:
        """Claim one worded message under its booking's lock, word it again first if what it depends
        on changed, send it and keep its outcome for the next claim; 'sent', 'skipped', 'failed',
        'retried' or 'uncertain'."""
        now = self.clock.now()
        notification_id = item.guard.notification_id
        begin_write()
        now_values, claimed = self._lock_and_claim(item, now)
        if now_values is None:  # gone with its booking
            db.session.commit()
            return "skipped"
        if not claimed and (not item.guard.holds(now_values) or now >= item.useful_until):
            fresh = word_batch([notification_id], now, self.letterhead)  # under the booking's lock: as it is now
            if not fresh:
                db.session.commit()
                return "skipped"
            again = fresh[0]
            if isinstance(again, Settled):
                _change(notification_id, NotificationState.PENDING, **_finished(again.state, now, again.outcome))
                db.session.commit()
                return again.state.value
            item = again
            claimed = _claim(item, now)
        db.session.commit()
        if not claimed:  # another dispatcher claimed it, or the portal settled it, since it was worded
            return "skipped"
        try:
            provider_id = self.senders[item.channel](item.message)
        except TryLater as error:
            return self._after_failure(item, self.clock.now(), str(error))
        except Refused as error:
            self.unrecorded = (notification_id, _finished(NotificationState.FAILED, self.clock.now(), str(error)))
            return "failed"
        except MaybeDelivered as error:
            self.unrecorded = (notification_id, _finished(NotificationState.UNCERTAIN, self.clock.now(), str(error)))
            log.warning("notification %s may or may not have arrived: %s", notification_id, error)
            return "uncertain"
        self.unrecorded = (notification_id, _finished(NotificationState.SENT, self.clock.now(), provider_id))
        return "sent"

    def _lock_and_claim(self, item: Worded, now: datetime) -> tuple[tuple[Any, ...] | None, bool]:
        """Record the outcome of the message last sent, lock this one's booking and claim it if what
        it was worded from still holds and it is still useful; (the guard's values now, None when
        the row is gone; whether it was claimed). One statement on PostgreSQL; on SQLite, whose write
        lock `begin_write` took, the outcome's UPDATE and the claim's, the guard read only when the
        claim did not happen (`claims`)."""
        ready = now < item.useful_until
        if db.session.get_bind().dialect.name == "postgresql":
            record, self.unrecorded = self.unrecorded, None
            return claim_unchanged(item.guard, ready, now, item.attempts, record)
        self._record()
        if ready and claim_if_unchanged(item.guard, now, item.attempts):
            return item.guard.values, True
        now_values = guards_now([item.guard.notification_id]).get(item.guard.notification_id)
        if ready and now_values is not None and item.guard.holds(now_values):
            # Unchanged as Python compares the values, though not as SQLite compared the stored text
            # (an instant written by other means than this column type): the guard was just read
            # under the write lock, so the claim needs only the state.
            return now_values, _claim(item, now)
        return now_values, False

    def _after_failure(self, item: Worded, now: datetime, error: str) -> str:
        notification_id, attempts = item.guard.notification_id, item.attempts
        if attempts <= len(RETRY_DELAYS) and now + RETRY_DELAYS[attempts - 1] < item.useful_until:
            retry_at = now + RETRY_DELAYS[attempts - 1]
            self.unrecorded = (
                notification_id,
                {"state": NotificationState.PENDING, "due_at": retry_at, "outcome": error[:300]},
            )
            log.info("notification %s: %s; will try again", notification_id, error)
            return "retried"
        self.unrecorded = (notification_id, _finished(NotificationState.FAILED, now, error))
        log.warning("notification %s failed for good: %s", notification_id, error)
        return "failed"

    def _record(self) -> None:
        """Record the outcome of the message last sent, in the write transaction under way."""
        if self.unrecorded is not None:
            notification_id, values = self.unrecorded
            _change(notification_id, NotificationState.SENDING, **values)
            self.unrecorded = None

    def _record_alone(self) -> None:
        """Record the outcome of the message last sent in a transaction of its own (a batch's last)."""
        if self.unrecorded is not None:
            begin_write()
            self._record()
            db.session.commit()


def _claim(item: Worded, now: datetime) -> bool:
    """Mark the message `sending` if it is still pending; whether it was."""
    return _change(
        item.guard.notification_id,
        NotificationState.PENDING,
        state=NotificationState.SENDING,
        claimed_at=now,
        attempts=item.attempts,
    )


def mark_interrupted(now: datetime, older_than: timedelta = timedelta(0)) -> int:
    """Rows left `sending` by a dispatcher that died become `uncertain`: never sent twice."""
    stuck = (Notification.state == NotificationState.SENDING, Notification.claimed_at <= now - older_than)
    found = db.session.scalar(select(Notification.id).where(*stuck).limit(1))
    db.session.commit()
    if found is None:  # the usual case, checked every second: no write lock for nothing
        return 0
    begin_write()
    changed = rows_changed(
        update(Notification)
        .where(*stuck)
        .values(state=NotificationState.UNCERTAIN, finished_at=now, outcome="the dispatcher stopped while sending")
    )
    db.session.commit()
    if changed:
        log.warning("%d messages were being sent when the dispatcher stopped; marked uncertain", changed)
    return changed


def _change(notification_id: int, was: NotificationState, **values: Any) -> bool:
    """Set `values` on the row if it is still in state `was`; whether it was. One UPDATE, as Core on
    the session's connection: no flush of loaded objects (the commit that follows expires them) and
    none of the ORM's bulk-update bookkeeping, which cost more than the UPDATE."""
    names = tuple(sorted(values))
    # Built once per set of columns: working out a statement's cache key costs more than running it.
    if names not in _UPDATES:
        rows = cast("Table", Notification.__table__)
        _UPDATES[names] = (
            update(rows)
            .where(rows.c.id == bindparam("row_id"), rows.c.state == bindparam("was", type_=rows.c.state.type))
            .values({name: bindparam(f"new_{name}", type_=rows.c[name].type) for name in names})
        )
    parameters = {"row_id": notification_id, "was": was, **{f"new_{name}": value for name, value in values.items()}}
    return db.session.connection().execute(_UPDATES[names], parameters).rowcount == 1


_UPDATES: dict[tuple[str, ...], Update] = {}


def _finished(state: NotificationState, now: datetime, outcome: str) -> dict[str, Any]:
    """The values that end a message in `state`."""
    return {"state": state, "finished_at": now, "outcome": outcome[:300]}
