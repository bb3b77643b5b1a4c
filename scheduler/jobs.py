"""Scheduled jobs: thin functions that run inside an app context and call into the core."""

from __future__ import annotations

import logging

from sqlalchemy import text

from rris.extensions import db

logger = logging.getLogger("scheduler.jobs")


def heartbeat() -> None:
    """Prove the scheduler is alive and can reach the database."""
    db.session.execute(text("SELECT 1"))
    logger.debug("heartbeat: database reachable")
