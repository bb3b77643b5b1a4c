"""A stop signal (SIGTERM, SIGINT) reaches the scheduler's main thread only where it merely waits.

Raised while APScheduler submitted a job, the stop was caught and logged by APScheduler itself and
the scheduler ran on until its supervisor killed it (seen once in a full test run: the leadership
test's SIGTERM landed while a job was being handed to a thread).
"""

from __future__ import annotations

import signal

import pytest

from scheduler.runner import StopRequested, StopSignals


@pytest.fixture
def stops():
    signals = StopSignals()
    previous = signal.signal(signal.SIGTERM, signals.handle)
    yield signals
    signal.signal(signal.SIGTERM, previous)


def test_a_signal_while_the_scheduler_works_is_kept_not_raised_into_the_work(stops):
    handed_over = []
    try:
        signal.raise_signal(signal.SIGTERM)  # as if it came while a job was being submitted
        handed_over.append("the job")
    except StopRequested:  # what the old handler did
        pytest.fail("the stop was raised into the scheduler's own work")
    assert handed_over == ["the job"]
    assert stops.requested == "SIGTERM"
    with pytest.raises(StopRequested), stops.interruptible():  # the next wait ends at once
        pytest.fail("a kept stop must end the next wait before it starts")


def test_a_signal_while_the_main_thread_waits_ends_the_wait_at_once(stops):
    with pytest.raises(StopRequested, match="SIGTERM"), stops.interruptible():
        signal.raise_signal(signal.SIGTERM)
        pytest.fail("the wait went on after the signal")
    signal.raise_signal(signal.SIGTERM)  # outside the wait again: kept, not raised
    assert stops.requested == "SIGTERM"
