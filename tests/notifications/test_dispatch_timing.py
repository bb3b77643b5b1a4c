"""A reminder goes out at its time, not up to a poll interval late: a run of the dispatcher that
finds nothing more due waits for what falls due before the next run, within its budget. Time is
injected: the wait moves the frozen clock, nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

from rris.enums import NotificationKind, NotificationState
from rris.notifications.services import outbox
from rris.timeutil import FrozenClock
from tests.notifications.test_outbox import SESSION_START, confirmed, dispatch, jelena, mariam, rows, to_whom
from tests.support.letterhead import letterhead

__all__ = ["jelena", "mariam"]  # the fixtures, for pytest

DUE_24H = SESSION_START - timedelta(hours=24)
POLL = timedelta(seconds=1)


class Waits:
    """The dispatcher's `wait`: each call moves the frozen clock on by that many seconds and is kept."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))


def test_a_reminder_falling_due_before_the_next_run_is_waited_for_and_sent_at_its_time(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    dispatch(clock)  # the invitations
    mailbox.clear()
    clock.set(DUE_24H - timedelta(milliseconds=400))
    waits = Waits(clock)

    report = outbox.dispatch_due(clock, letterhead(), lookahead=POLL, wait=waits)

    assert report.sent == 2
    assert waits.seconds == [0.4]
    reminders = rows(booking, NotificationKind.REMINDER_24H)
    assert {(row.state, row.finished_at) for row in reminders} == {(NotificationState.SENT, DUE_24H)}
    messages = mailbox.wait_for(2)
    assert [m["Subject"].split(":")[0] for m in messages] == ["Tomorrow", "Tomorrow"]
    assert to_whom(messages) == ["jelena@mup.rs.example", "mariam@interpreters.example"]


def test_a_run_leaves_what_falls_due_after_the_next_run_or_past_its_budget_to_a_later_run(
    jelena, mariam, clock, mailbox
):
    confirmed(jelena, mariam)
    dispatch(clock)
    mailbox.clear()
    waits = Waits(clock)

    clock.set(DUE_24H - timedelta(seconds=5))  # due after the next run: that run will wait for it
    assert outbox.dispatch_due(clock, letterhead(), lookahead=POLL, wait=waits).handled == 0
    clock.set(DUE_24H - timedelta(milliseconds=800))  # due before the next run, but past this run's budget
    budget = timedelta(milliseconds=500)
    assert outbox.dispatch_due(clock, letterhead(), budget=budget, lookahead=POLL, wait=waits).handled == 0

    assert waits.seconds == []
    assert mailbox.messages == []


def test_a_run_whose_budget_is_spent_returns_though_messages_are_still_due(jelena, mariam, clock, mailbox):
    confirmed(jelena, mariam)
    dispatch(clock)
    mailbox.clear()
    clock.set(DUE_24H)
    waits = Waits(clock)

    report = outbox.dispatch_due(clock, letterhead(), budget=timedelta(0), lookahead=POLL, wait=waits)

    assert report.handled == 0  # what is due is the next run's, not waited for again and again
    assert waits.seconds == []
    assert dispatch(clock).sent == 2
