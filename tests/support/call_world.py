"""A call that is happening now, for real browsers: the portal and the signalling service inside
a test namespace, and a confirmed booking on the real clock with its officer and interpreter.

    world = start_call_world(netns, tmp_path)
    page = browser.new_context().new_page()
    sign_in(page, world, world.officer)
    page.goto(world.portal.url(world.call_path))

Both services run on the real clock, so the booking must be on now: it starts a few minutes
from now (the call opens 15 minutes before the start). The rows are written from this process
straight into the SQLite file both services use, after the portal has migrated it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page

from rris.accounts.domain.second_factor import TOTP_DRIFT_STEPS, totp_code, totp_step
from rris.app import create_app
from rris.bookings.models.bookings import Assignment
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from tests import factories
from tests.support.netns import Netns
from tests.support.second_factor import SECOND_STEP_PATH
from tests.support.services import PORTAL_PORT, SIGNALING_PORT, Service, service_env, start_portal, start_signaling

STARTS_IN_MINUTES = 5  # within the call's opening span (15 minutes before the start), on the real clock
SESSION_MINUTES = 60
SIGN_IN_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Person:
    """Someone who signs in to the portal and takes part in the call."""

    email: str
    name: str
    user_id: int
    password: str = factories.PASSWORD
    totp_secret: str = factories.TOTP_SECRET  # the app key, when their role asks for a second step

    @property
    def participant(self) -> str:
        """Their id in the call (the signalling protocol's PEER id)."""
        return f"user-{self.user_id}"


@dataclass
class CallWorld:
    """Portal, signalling, and the booking whose call is open now."""

    netns: Netns
    workdir: Path
    env: dict[str, str]
    portal: Service
    signaling: Service
    booking_id: int
    officer: Person
    interpreter: Person
    _core: Flask | None = field(default=None, repr=False)

    @property
    def call_path(self) -> str:
        return f"/calls/{self.booking_id}"

    @property
    def booking_path(self) -> str:
        return f"/bookings/{self.booking_id}"

    def core(self) -> Flask:
        """A core app on the services' database, for reading records from this process (one per world)."""
        if self._core is None:
            self._core = create_app(Settings.from_env(self.env))
        return self._core

    def close(self) -> None:
        """Release this process's database connections (the services stop with the namespace)."""
        if self._core is not None:
            with self._core.app_context():
                db.engine.dispose()
            self._core = None

    def crash_signaling(self) -> None:
        """End the signalling service with SIGKILL: its rooms are lost, the sockets just drop."""
        self.signaling.kill()

    def restart_signaling(self) -> Service:
        """A new signalling service on the same port (after `crash_signaling`); returns it."""
        self.signaling = start_signaling(self.netns, self.workdir, self.env, name="signaling-restarted")
        return self.signaling


def start_call_world(netns: Netns, workdir: Path) -> CallWorld:
    """Portal and signalling in `netns` on a fresh database holding a booking whose call is open now."""
    env = service_env(
        workdir,
        # The page's Origin must be the portal's public URL, or the signalling refuses the socket.
        RRIS_PUBLIC_URL=f"http://127.0.0.1:{PORTAL_PORT}",
        RRIS_SIGNALING_PUBLIC_URL=f"ws://127.0.0.1:{SIGNALING_PORT}",
        RRIS_LOG_LEVEL="WARNING",
    )
    portal = start_portal(netns, workdir, env)  # migrates the database first
    booking_id, officer, interpreter = seed_call_now(env)
    signaling = start_signaling(netns, workdir, env)
    return CallWorld(netns, workdir, env, portal, signaling, booking_id, officer, interpreter)


def seed_call_now(env: dict[str, str]) -> tuple[int, Person, Person]:
    """(booking id, officer, interpreter): a confirmed Pashto–Serbian session starting a few minutes
    from now, written and committed into the (migrated) database of `env`."""
    core = create_app(Settings.from_env(env))
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=STARTS_IN_MINUTES)
    try:
        with core.app_context():
            sync_languages()
            jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
            mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
            booking = factories.booking(
                department=jelena.department,
                starts_at=starts_at,
                minutes=SESSION_MINUTES,
                state=BookingState.CONFIRMED,
                created_by=jelena,
            )
            booking.assignments.append(
                Assignment(
                    interpreter=mariam,
                    busy_from=booking.starts_at,
                    busy_until=booking.ends_at,
                    assigned_at=starts_at - timedelta(days=1),
                )
            )
            db.session.commit()
            officer = Person(jelena.email, jelena.name, jelena.id)
            interpreter = Person(mariam.user.email, mariam.user.name, mariam.user_id)
            return booking.id, officer, interpreter
    finally:
        with core.app_context():
            db.engine.dispose()


def sign_in(page: Page, world: CallWorld, person: Person) -> None:
    """Sign `person` in through the portal's sign-in form in `page`."""
    sign_in_at(page, world.portal, person)


def sign_in_at(
    page: Page,
    portal: Service,
    person: Person,
    then: str | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Sign `person` in through `portal`'s form in `page`; with `then` (an address, e.g. a link
    from a mail), open it first and sign in where the portal sends a stranger, as a person would.
    When the portal asks for the second step, type the code of their app key at the portal's
    time `now` (the next step's if that code was used already)."""
    enter_password(page, portal, person, then)
    if SECOND_STEP_PATH in page.url:
        take_second_step(page, person.totp_secret, now())


def enter_password(page: Page, portal: Service, person: Person, then: str | None = None) -> None:
    """The first step of `sign_in_at`: the email and password, leaving `page` where the portal sends
    them next (the second step, when their role asks for one)."""
    page.goto(then or portal.url("/login"))
    page.wait_for_url("**/login**", timeout=SIGN_IN_TIMEOUT_MS)
    page.fill("#email", person.email)
    page.fill("#password", person.password)
    page.click("form:has(#password) button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url or SECOND_STEP_PATH in url, timeout=SIGN_IN_TIMEOUT_MS)


def take_second_step(page: Page, secret: str, now: datetime) -> None:
    """Type the app's code at the second step, the earliest the portal accepts at `now` (a frozen
    clock signs the same person in more than once: each code is taken once)."""
    for offset in range(-TOTP_DRIFT_STEPS, TOTP_DRIFT_STEPS + 1):
        page.fill("#code", totp_code(secret, totp_step(now) + offset))
        page.click("form:has(#code) button[type=submit]")
        page.wait_for_load_state()
        if SECOND_STEP_PATH not in page.url:
            return
    raise AssertionError(f"the second step refused every code: {page.locator('.field-error').all_inner_texts()}")
