"""The scheduler's retention job purges personal data on its schedule, with the configured
periods: a real sign-in's records are gone a month later, and the job runs at start and every
six hours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from rris.accounts.models.accounts import LoginAttempt, UserSession
from rris.extensions import db
from scheduler import jobs
from scheduler.runner import JOBS
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD


def sign_in_records(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(LoginAttempt)),
            db.session.scalar(select(func.count()).select_from(UserSession)),
        )


def test_a_sign_in_is_forgotten_once_its_period_is_over(app, clock, browser):
    with committed(app):
        factories.caseworker(email="jelena@mup.rs.example")
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert sign_in_records(app) == (1, 1)

    clock.advance(timedelta(days=29))
    with app.app_context():
        jobs.purge_expired()
    assert sign_in_records(app) == (1, 1)  # RRIS_SIGN_IN_RECORDS_DAYS is 30 by default

    clock.advance(timedelta(days=2))
    with app.app_context():
        jobs.purge_expired()
    assert sign_in_records(app) == (0, 0)


def test_the_retention_job_runs_at_start_and_every_six_hours():
    job = next(job for job in JOBS if job.function is jobs.purge_expired)
    assert job.at_start and job.every_seconds == 6 * 3600
