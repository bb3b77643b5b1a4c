"""Scheduled jobs: thin functions that run inside an app context and call into the core.

Each reads the time from the app's clock, so tests drive them with a FrozenClock.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import text

from rris.calls.services import no_shows, session_lifecycle
from rris.context import current_clock, current_settings
from rris.extensions import db
from rris.matching.services import conflicts
from rris.notifications.services import outbox
from rris.notifications.services.messages import Letterhead
from rris.offers.domain.waves import WavePolicy
from rris.offers.services import offers
from rris.ondemand.domain.escalation import PhoneEscalation
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.services import answering as ondemand
from rris.ondemand.services.phone_escalation import escalate_to_phones
from rris.phone.services.phone_guard import PhoneSetup
from rris.reports.services import reporting
from rris.retention.services import retention
from rris.timeutil import Clock
from rris.webhooks.services import delivery as webhooks

logger = logging.getLogger("scheduler.jobs")

# One run of the dispatcher stops after this long so the other jobs get their turn.
DISPATCH_BUDGET = timedelta(seconds=20)
# How often the dispatcher runs; a run waits for what falls due before the next one, and sends it on time.
DISPATCH_EVERY_SECONDS = 1
# Messages left `sending` longer than this by a live dispatcher are from one that hung.
STUCK_SENDING = timedelta(minutes=10)


def heartbeat() -> None:
    """Prove the scheduler is alive and can reach the database."""
    db.session.execute(text("SELECT 1"))
    logger.debug("heartbeat: database reachable")


def recover_interrupted_sends() -> None:
    """At start: what the previous scheduler was sending when it died is marked uncertain, not resent;
    webhooks it was delivering are due again (same `webhook-id`: the receiver drops a duplicate)."""
    outbox.mark_interrupted(current_clock().now())
    webhooks.requeue_interrupted(current_clock().now())


def dispatch_outbox() -> None:
    """Send the messages that are due and still useful."""
    clock = current_clock()
    report = dispatch_run(clock)
    if report.handled:
        logger.info(
            "outbox: %d sent, %d skipped, %d failed, %d to retry, %d uncertain",
            report.sent,
            report.skipped,
            report.failed,
            report.retried,
            report.uncertain,
        )
    outbox.mark_interrupted(clock.now(), older_than=STUCK_SENDING)


def dispatch_run(clock: Clock) -> outbox.DispatchReport:
    """One run of the dispatcher as the scheduler makes it: within its budget, waiting (on the real
    clock) for what falls due before the next run."""
    return outbox.dispatch_due(
        clock,
        Letterhead.from_settings(current_settings()),
        budget=DISPATCH_BUDGET,
        lookahead=timedelta(seconds=DISPATCH_EVERY_SECONDS),
        wait=time.sleep,
    )


def deliver_webhooks() -> None:
    """POST the due webhooks to case systems, signed; failed tries come back with backoff."""
    clock = current_clock()
    report = webhooks.deliver_due(clock, webhooks.policy_from(current_settings()), budget=DISPATCH_BUDGET)
    if report.handled:
        logger.info(
            "webhooks: %d delivered, %d to retry, %d failed, %d skipped",
            report.delivered,
            report.retried,
            report.failed,
            report.skipped,
        )
    webhooks.requeue_interrupted(clock.now(), older_than=STUCK_SENDING)


def expire_offers() -> None:
    """Expire offers whose time ran out; the service sends the next wave or marks the booking unfilled."""
    expired = offers.expire_offers(current_clock().now(), WavePolicy.from_settings(current_settings()))
    if expired:
        logger.info("expired %d offers", expired)


def expire_rings() -> None:
    """End on-demand rings unanswered in time or whose interpreter's page went silent; ring the next."""
    ended = ondemand.expire_rings(current_clock().now(), OnDemandPolicy.from_settings(current_settings()))
    if ended:
        logger.info("ended %d unanswered on-demand rings", ended)


def end_unjoined_calls() -> None:
    """End as technical failures the on-demand calls answered but not connected in time; free her."""
    ended = ondemand.end_unjoined(current_clock().now(), OnDemandPolicy.from_settings(current_settings()))
    if ended:
        logger.info("ended %d answered on-demand calls nobody joined", ended)


def run_requested_sweeps() -> None:
    """Check the interpreters the portal flagged as changed."""
    report = conflicts.process_sweep_requests(current_clock().now())
    if report.found or report.resolved:
        logger.info("requested sweep: %d jobs checked, %d conflicts found, %d resolved", *_figures(report))


def sweep_conflicts() -> None:
    """Check every upcoming confirmed job against what is true now."""
    report = conflicts.sweep(current_clock().now())
    logger.debug("sweep: %d jobs checked, %d conflicts found, %d resolved", *_figures(report))


def check_no_shows() -> None:
    """Ten minutes into each session, tell people when a side has not joined."""
    reported = no_shows.check_no_shows(current_clock().now())
    if reported:
        logger.info("no-show check: %d sessions reported", reported)


def advance_sessions() -> None:
    """Start sessions whose time has come, then complete those whose call is over."""
    now = current_clock().now()
    started = session_lifecycle.start_due_sessions(now)
    completed = session_lifecycle.complete_finished_sessions(now)
    if started or completed:
        logger.info("sessions: %d started, %d completed", started, completed)


def purge_expired() -> None:
    """Purge the personal data past its period (the README's data map)."""
    retention.purge_expired(current_clock().now(), retention.retention_policy(current_settings()))


def keep_report_months() -> None:
    """Keep the figures of the closed months report readers will ask for (`rris.reports.models.rollups`)."""
    covered = reporting.keep_recent_months(current_clock().now())
    logger.debug("reports: %d closed months kept or still current", covered)


def escalate_on_demand_to_phones() -> None:
    """Call on-call interpreters' phones for on-demand requests that waited unanswered too long."""
    settings = current_settings()
    report = escalate_to_phones(
        current_clock().now(),
        OnDemandPolicy.from_settings(settings),
        PhoneEscalation.from_settings(settings),
        PhoneSetup.from_settings(settings),
    )
    if report.called or report.lapsed or report.hung_up:
        logger.info(
            "on-demand phones: %d called, %d rings unanswered, %d hung up", report.called, report.lapsed, report.hung_up
        )


def _figures(report: conflicts.SweepReport) -> tuple[int, int, int]:
    return report.checked, report.found, report.resolved
