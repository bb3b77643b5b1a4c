"""The demo pool (`make run`'s data, its past included) served for real in a test namespace, on a
fixed clock, for browsers that visit every page as each kind of person.

    world = start_demo_world(netns, tmp_path)
    sign_in_at(page, world.portal, world.people["coordinator"], now=world.clock.now)
    page.goto(world.portal.url(f"/interpreters/{world.interpreter_id}"))

The portal and the signalling service run on a `FileClock` set to NOW, a Tuesday morning on
which Mariam (Kabul) is at work: the demo call (`flask demo call`) is booked then, so her jobs,
the booking and the call page have a session about to start.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.services.accounts import ResetLinks, password_reset_token
from rris.app import create_app
from rris.bookings.services.booking_setup import BookingSetup
from rris.demo.call import book_demo_call
from rris.demo.pool import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo_pool
from rris.extensions import db
from rris.settings import Settings
from rris.webhooks.domain.events import WebhookEventType
from rris.webhooks.services.delivery import policy_from
from rris.webhooks.services.endpoints import EndpointInput, create_endpoint
from tests.support.call_world import Person, sign_in_at
from tests.support.netns import Netns
from tests.support.passwords import hashed_as_the_portal
from tests.support.services import PORTAL_PORT, SIGNALING_PORT, Service, service_env, start_portal, start_signaling
from tests.support.story_clock import CLOCK_FILE_VARIABLE, FileClock

# Tuesday 10 March 2026, 08:30 in Belgrade (CET) = 07:30 UTC = 12:00 in Kabul.
NOW = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
STEP_TIMEOUT_MS = 10_000
CASE_SYSTEM_URL = "http://127.0.0.1:9/rris-webhooks"  # the discard port


@dataclass(frozen=True)
class DemoWorld:
    """Portal and signalling over the demo pool, and the records the pages are about."""

    portal: Service
    signaling: Service
    clock: FileClock
    people: dict[str, Person]  # by role, as DEMO_LOGINS names them
    call_booking_id: int  # the demo call: Jelena's Pashto session, Mariam's job, starting in minutes
    interpreter_id: int  # Mariam's profile
    department_id: int  # Jelena's office
    reset_token: str  # a live password-reset link's token, for Jelena
    country_id: int  # Jelena's country
    endpoint_id: int  # her office's case system's webhook endpoint, sent every event


def start_demo_world(netns: Netns, workdir: Path, now: datetime = NOW) -> DemoWorld:
    """The demo pool, its past and the demo call on a fresh database, served in `netns` at `now`."""
    clock = FileClock(workdir / "clock.json")
    clock.set(now)
    env = service_env(
        workdir,
        RRIS_PUBLIC_URL=f"http://127.0.0.1:{PORTAL_PORT}",  # the signalling checks the call page's Origin
        RRIS_SIGNALING_PUBLIC_URL=f"ws://127.0.0.1:{SIGNALING_PORT}",
        RRIS_LOG_LEVEL="WARNING",
        **{CLOCK_FILE_VARIABLE: str(clock.path)},
    )
    launcher = [sys.executable, "-m", "tests.support.story_services"]
    portal = start_portal(netns, workdir, env, command=[*launcher, "portal"])  # migrates the database first
    seeded = _seed(Settings.from_env(env), now)
    signaling = start_signaling(netns, workdir, env, command=[*launcher, "signaling"])
    return DemoWorld(portal, signaling, clock, *seeded)


@contextmanager
def demo_world_logged(netns: Netns, workdir: Path, logs: Path) -> Iterator[DemoWorld]:
    """`start_demo_world`, whose services' logs are written into `logs` when the test is done."""
    world = start_demo_world(netns, workdir)
    try:
        yield world
    finally:
        for service in (world.portal, world.signaling):
            (logs / f"{service.name}.log").write_text(service.log_text())


def _seed(settings: Settings, now: datetime) -> tuple[dict[str, Person], int, int, int, str, int, int]:
    core = create_app(settings)
    try:
        with core.app_context():
            load_demo_pool(now, SecondFactorKeys(settings.second_factor_key), settings)
            call = book_demo_call(now, BookingSetup.from_settings(settings))
            users = {
                role: db.session.execute(select(User).where(User.email == email)).scalar_one()
                for role, email in DEMO_LOGINS
            }
            people = {
                role: Person(user.email, user.name, user.id, DEMO_PASSWORD, DEMO_TOTP_SECRET)
                for role, user in users.items()
            }
            profile = users["interpreter"].interpreter_profile
            office = users["caseworker"].department
            assert profile is not None and office is not None
            department_id, country_id = office.id, office.country_id
            # A reset link ends when her password hash changes, and the served portal re-hashes a
            # cheap test hash at her first sign-in: hers is made as the portal makes it.
            users["caseworker"].password_hash = hashed_as_the_portal(DEMO_PASSWORD)
            db.session.commit()
            token = password_reset_token(users["caseworker"], now, ResetLinks.from_settings(settings))
            endpoint = _register_endpoint(settings, users["focal point"], department_id, now)
            return people, call.booking_id, profile.id, department_id, token, country_id, endpoint
    finally:
        with core.app_context():
            db.engine.dispose()


def _register_endpoint(settings: Settings, focal_point: User, department_id: int, now: datetime) -> int:
    """The focal point registers the office's case system for every event (on this machine, which
    nothing listens on: the bookings made later queue deliveries for its log)."""
    data = EndpointInput(department_id, CASE_SYSTEM_URL, "Case system", frozenset(WebhookEventType))
    policy = replace(policy_from(settings), allow_loopback=True)
    return create_endpoint(data, actor_of(focal_point), now, policy).id


def book_pashto_for_tomorrow(chromium: Browser, world: DemoWorld) -> int:
    """Jelena books Pashto for tomorrow 09:00 through the form; the engine offers it to Mariam."""
    context = chromium.new_context()
    page = context.new_page()
    sign_in_at(page, world.portal, world.people["caseworker"])
    page.goto(world.portal.url("/bookings/new"))
    page.select_option("#applicant_language", "pus")
    page.select_option("#officer_language", "srp")
    page.fill("#start_local", (NOW + timedelta(days=1)).strftime("%Y-%m-%dT09:00"))
    page.fill("#duration_minutes", "60")
    page.fill("#case_reference", "RS-AS-2026-0311")
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/bookings/\d+$"), timeout=STEP_TIMEOUT_MS)
    booking_id = int(page.url.rsplit("/", 1)[1])
    context.close()
    return booking_id


def fill_pashto_now(page: Page) -> None:
    """On the "Interpreter now" form: Pashto and Serbian, a reception, the case's reference; sent."""
    page.select_option("#applicant_language", "pus")
    page.select_option("#officer_language", "srp")
    page.fill("#case_reference", "RS-NOW-2026-0042")
    page.click("#now-form button[type=submit]")
    page.wait_for_load_state()


def ask_pashto_now(chromium: Browser, world: DemoWorld) -> int:
    """Jelena asks for Pashto now; nobody in the demo pool is reachable, so she chooses to wait for
    one: her request waits in the queue. Its id."""
    context = chromium.new_context()
    page = context.new_page()
    sign_in_at(page, world.portal, world.people["caseworker"])
    page.goto(world.portal.url("/now"))
    fill_pashto_now(page)
    if not re.search(r"/now/requests/\d+$", page.url):
        page.click("#wait-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/now/requests/\d+$"), timeout=STEP_TIMEOUT_MS)
    call_id = int(page.url.rsplit("/", 1)[1])
    context.close()
    return call_id
