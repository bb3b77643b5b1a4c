"""Scheduled jobs: thin functions that run inside an app context and call into the core."""

from __future__ import annotations

import logging

from sqlalchemy import text

from rris.context import current_clock
from rris.extensions import db
from rris.services import offers

logger = logging.getLogger("scheduler.jobs")


def heartbeat() -> None:
    """Prove the scheduler is alive and can reach the database."""
    db.session.execute(text("SELECT 1"))
    logger.debug("heartbeat: database reachable")


def expire_offers() -> None:
    """Expire offers whose time ran out; the service sends the next wave or marks the booking unfilled."""
    expired = offers.expire_offers(current_clock().now())
    if expired:
        logger.info("expired %d offers", expired)
