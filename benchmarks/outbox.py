"""The outbox under load: 100,000 pending reminders, bursts that fall due on the real clock, a backlog.

The pool's database gets caseworkers and interpreters of its own, confirmed bookings over the
coming days and 100,000 pending email reminders (24 h, 1 h, "join now"), written with Core bulk
inserts. Then, on the real clock, with the real SmtpMailer sending to an SMTP server on 127.0.0.1:

- lateness: a few bursts fall due, several hundred reminders at the same second as when sessions
  start on the hour, while the dispatcher runs as the scheduler runs it (`scheduler.jobs.dispatch_run`:
  the scheduler's budget, waiting for what falls due before the next run, once per poll interval,
  in a fresh app context each time). A message's lateness is its `finished_at` minus its `due_at`,
  read back from the table.
- drain: a backlog falls due at once, as after an outage; messages per second until it is sent.
- memory: a smaller backlog drained under tracemalloc; its peak is what the dispatch allocated
  (tracing slows Python down, so the other phases run untraced).
- floor: the messages the drain sent, their very bytes, sent again by smtplib alone over one
  connection to the same server (nothing to read, check, word or record): the rate the dispatcher
  is printed against, with its ratio.

The SMTP server (aiosmtpd) counts messages per (recipients, subject, booking code): a message
delivered twice is a duplicate and fails the run. It runs in a thread of this process and shares
the interpreter lock with the dispatcher, so the figures include its work, which a real relay
would take off the host. Reminders queued by earlier benchmarks are due at the frozen clock's
time, long past on the real one: they are marked skipped first, so only these rows are dispatched.
"""

from __future__ import annotations

import time
import tracemalloc
from time import perf_counter

from flask import Flask

from benchmarks.environment import dispose
from benchmarks.outbox_load import FULL_OUTBOX, QUICK_OUTBOX, OutboxPlan, load_outbox
from benchmarks.outbox_phases import dispatcher_app, run_backlog, run_bursts, sent_in_database
from benchmarks.outbox_smtp import CountingHandler, Rate, smtp_server, smtplib_floor
from benchmarks.report import Reporter, percentile

__all__ = ["FULL_OUTBOX", "QUICK_OUTBOX", "OutboxPlan", "run_outbox"]

MEGABYTE = 1_000_000


def run_outbox(app: Flask, report: Reporter, plan: OutboxPlan) -> None:
    """Load the outbox beside `app`'s pool, then time the dispatcher's lateness, drain rate and memory."""
    with smtp_server() as (port, handler):
        dispatcher = dispatcher_app(app, port)
        try:
            _run_phases(dispatcher, report, plan, port, handler)
        finally:
            dispose(dispatcher)


def _run_phases(app: Flask, report: Reporter, plan: OutboxPlan, port: int, handler: CountingHandler) -> None:
    started = perf_counter()
    with app.app_context():
        loaded = load_outbox(plan)
    size = {"notifications": loaded.notifications}
    report.emit("outbox_load", "seconds", perf_counter() - started, "s", **size)
    report.emit("outbox_load", "notifications", loaded.notifications, "rows", **size)
    report.emit("outbox_load", "bookings", loaded.bookings, "rows", **size)
    report.emit("outbox_load", "stale_skipped", loaded.stale, "rows", **size)
    sent_before = sent_in_database(app)

    lateness, not_sent, starts = run_bursts(app, loaded, plan)
    bursts = {**size, "bursts": len(plan.burst_offsets_seconds), "burst_rows": plan.burst_rows}
    report.emit("outbox_lateness", "p50", percentile(lateness, 50), "s", **bursts)
    report.emit("outbox_lateness", "p99", percentile(lateness, 99), "s", **bursts)
    report.emit("outbox_lateness", "max", max(lateness, default=0.0), "s", **bursts)
    report.emit("outbox_lateness", "samples", len(lateness), "count", **bursts)
    report.emit("outbox_lateness", "not_sent", not_sent, "messages", **bursts)
    # The first burst's start is when a run starts on what falls due; a later one's may queue behind the last.
    report.emit("outbox_lateness", "start_min", min(starts, default=0.0), "s", **bursts)
    report.emit("outbox_lateness", "start_max", max(starts, default=0.0), "s", **bursts)

    handler.kept = []
    cpu = time.process_time()
    sent, seconds = run_backlog(app, loaded.groups["backlog"])
    rate = Rate(sent, seconds, time.process_time() - cpu)
    kept, handler.kept = handler.kept, None
    floor = smtplib_floor(port, handler, kept)
    drain = {**size, "overdue": sent}
    ratio = rate.per_second / floor.per_second if floor.per_second else 0.0
    report.emit("outbox_drain", "messages_per_second", rate.per_second, "messages/s", **drain)
    report.emit("outbox_drain", "floor_messages_per_second", floor.per_second, "messages/s", **drain, floor="smtplib")
    report.emit("outbox_drain", "ratio_to_floor", ratio, "ratio", **drain)
    report.emit("outbox_drain", "cpu_per_message", rate.cpu_ms_each, "ms", **drain)
    report.emit("outbox_drain", "floor_cpu_per_message", floor.cpu_ms_each, "ms", **drain, floor="smtplib")
    report.emit("outbox_drain", "messages", sent, "messages", **drain)
    report.emit("outbox_drain", "seconds", seconds, "s", **drain)

    tracemalloc.start()
    try:
        traced, _seconds = run_backlog(app, loaded.groups["traced"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    report.emit("outbox_memory", "peak", peak / MEGABYTE, "MB", **size, overdue=traced, measure="tracemalloc")

    counts = handler.counts()
    duplicates = sum(count - 1 for count in counts.values() if count > 1)
    report.emit("outbox", "received", sum(counts.values()), "messages", **size)
    report.emit("outbox", "sent_in_database", sent_in_database(app) - sent_before, "messages", **size)
    report.emit("outbox", "duplicates", duplicates, "messages", **size)
    if duplicates:
        example = next(key for key, count in counts.items() if count > 1)
        raise RuntimeError(f"{duplicates} messages arrived more than once (at most once is broken), e.g. {example}")
