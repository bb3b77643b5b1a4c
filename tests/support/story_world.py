"""The world of the domain description's closing story, for real browsers on a clock the test moves.

    world = start_story_world(netns, tmp_path, smtp)
    world.clock.set(BOOKED_AT)              # the portal and the signalling service follow
    sign_in(page, world, world.caseworker)
    world.scheduler_tick()                  # every scheduler job once, at the story's time
    smtp.mailbox.wait_for(1)

The portal and the signalling service run inside the test's namespace, each launched by
`tests.support.story_services` on a `FileClock`. The scheduler's jobs run in this process, on a
core app over the same SQLite file and the same clock, sending mail to the test's SMTP server:
a tick does what `python -m scheduler` would do at that moment, without waiting for it.
The pool holds only the people of the story: Jelena (a caseworker of the Asylum Office in
Belgrade), Mariam (a Pashto interpreter in Kabul, with a verified phone) and Amra (a coordinator).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page

from rris.app import create_app
from rris.enums import Role
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from scheduler.runner import JOBS, run_in_app_context
from tests import factories
from tests.support.call_world import Person, sign_in_at
from tests.support.netns import Netns
from tests.support.services import (
    PORTAL_PORT,
    SIGNALING_PORT,
    Service,
    service_env,
    start_portal,
    start_signaling,
)
from tests.support.smtp import SmtpServer
from tests.support.story_clock import CLOCK_FILE_VARIABLE, FileClock

# Monday 12 January 2026, 10:00 in Belgrade: Jelena books for tomorrow.
BOOKED_AT = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
# Tuesday 13 January 2026, 09:00 in Belgrade (CET, UTC+1) = 08:00 UTC = 12:30 in Kabul (UTC+4:30).
SESSION_STARTS_AT = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
SESSION_MINUTES = 60
# Mariam's verified mobile: by default the telephone fallback rings the interpreters' countries too.
KABUL_PHONE = "+93701234567"
HOURLY_RATE_EUR = "35.00"  # the factories' rate for interpreters


@dataclass
class StoryWorld:
    """Portal and signalling on the story's clock, the people of the story, and the scheduler's jobs."""

    netns: Netns
    workdir: Path
    env: dict[str, str]
    clock: FileClock
    portal: Service
    signaling: Service
    caseworker: Person
    interpreter: Person
    coordinator: Person
    coordinator_zone: str
    smtp_port: int
    _core: Flask | None = field(default=None, repr=False)

    def core(self) -> Flask:
        """A core app on the services' database and clock that sends mail to the test's SMTP server."""
        if self._core is None:
            settings = Settings.from_env(
                {**self.env, "RRIS_SMTP_HOST": "127.0.0.1", "RRIS_SMTP_PORT": str(self.smtp_port)}
            )
            self._core = create_app(settings, self.clock)
        return self._core

    def scheduler_tick(self) -> None:
        """Run each job of the scheduler once, as `python -m scheduler` would at the clock's time."""
        core = self.core()
        for job in JOBS:
            run_in_app_context(core, job.function)

    def close(self) -> None:
        """Release this process's database connections (the services stop with the namespace)."""
        if self._core is not None:
            with self._core.app_context():
                db.engine.dispose()
            self._core = None


def start_story_world(netns: Netns, workdir: Path, smtp: SmtpServer, now: datetime = BOOKED_AT) -> StoryWorld:
    """The story's services in `netns` on a fresh database holding its people, the clock at `now`."""
    clock = FileClock(workdir / "clock.json")
    clock.set(now)
    env = service_env(
        workdir,
        # The page's Origin must be the portal's public URL, or the signalling refuses the socket;
        # the links in the mail point at the portal as the browsers inside the namespace reach it.
        RRIS_PUBLIC_URL=f"http://127.0.0.1:{PORTAL_PORT}",
        RRIS_SIGNALING_PUBLIC_URL=f"ws://127.0.0.1:{SIGNALING_PORT}",
        RRIS_LOG_LEVEL="WARNING",
        **{CLOCK_FILE_VARIABLE: str(clock.path)},
    )
    launcher = [sys.executable, "-m", "tests.support.story_services"]
    portal = start_portal(netns, workdir, env, command=[*launcher, "portal"])  # migrates the database first
    caseworker, interpreter, coordinator, coordinator_zone = seed_people(env, now.date())
    signaling = start_signaling(netns, workdir, env, command=[*launcher, "signaling"])
    return StoryWorld(
        netns,
        workdir,
        env,
        clock,
        portal,
        signaling,
        caseworker,
        interpreter,
        coordinator,
        coordinator_zone,
        smtp.port,
    )


def seed_people(env: dict[str, str], today: date) -> tuple[Person, Person, Person, str]:
    """(caseworker, interpreter, coordinator, the coordinator's zone), committed into the
    (migrated) database of `env`; the interpreter's Serbian clearance is valid on `today`."""
    core = create_app(Settings.from_env(env))
    try:
        with core.app_context():
            sync_languages()
            office = factories.department("RS", name="Asylum Office, Belgrade")
            # She reads RRIS in English (her choice): unchosen, her mail would speak her office's Serbian.
            jelena = factories.user(
                Role.CASEWORKER, email="jelena@mup.rs.example", name="Jelena Marković", department=office, locale="en"
            )
            mariam = factories.interpreter(
                email="mariam@pool.example",
                name="Mariam Ahmadzai",
                pairs=(("pus", "srp"),),
                accredited_for=("RS",),
                on=today,
                phone=KABUL_PHONE,
                phone_verified_at=datetime(2025, 12, 1, tzinfo=UTC),
            )
            amra = factories.user(
                Role.COORDINATOR, email="amra@marri.example", name="Amra Hadžić", timezone="Europe/Skopje"
            )
            db.session.commit()
            people = (
                Person(jelena.email, jelena.name, jelena.id),
                Person(mariam.user.email, mariam.user.name, mariam.user_id),
                Person(amra.email, amra.name, amra.id),
            )
            return (*people, amra.zone_name)
    finally:
        with core.app_context():
            db.engine.dispose()


def sign_in(page: Page, world: StoryWorld, person: Person, then: str | None = None) -> None:
    """Sign `person` in through the portal's form in `page` (see `sign_in_at`)."""
    sign_in_at(page, world.portal, person, then, now=world.clock.now)
