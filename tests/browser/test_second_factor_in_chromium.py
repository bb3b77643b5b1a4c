"""The second factor in headless Chromium: an admin signs in with an authenticator app's code,
adds a passkey (Chromium's virtual authenticator, through the DevTools protocol) and signs in
with it; an admin without a second factor is made to set one up before anything else.

Passkeys need a secure context whose host is a domain (WebAuthn refuses IP addresses as the
relying party), so the portal is reached as http://localhost:<port> and its RRIS_PUBLIC_URL says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Select, select

from rris.accounts.domain.second_factor import totp_code, totp_step
from rris.accounts.models.second_factor import Passkey
from rris.app import create_app
from rris.audit.models.entries import AuditEntry
from rris.enums import Role
from rris.extensions import db
from rris.settings import Settings
from tests import factories
from tests.support.call_world import Person, sign_in_at
from tests.support.netns import Netns
from tests.support.second_factor import SECOND_STEP_PATH
from tests.support.services import PORTAL_PORT, Service, service_env, start_portal

pytestmark = pytest.mark.browser

LOCAL = f"http://localhost:{PORTAL_PORT}"
STEP_TIMEOUT_MS = 10_000


@dataclass
class World:
    portal: Service
    env: dict[str, str]
    enrolled: Person  # an admin with an authenticator app
    unenrolled: Person  # an admin without any second factor yet


@pytest.fixture
def world(netns: Netns, tmp_path: Path) -> Iterator[World]:
    env = service_env(tmp_path, RRIS_PUBLIC_URL=LOCAL, RRIS_LOG_LEVEL="WARNING")
    portal = start_portal(netns, tmp_path, env)
    core = create_app(Settings.from_env(env))
    try:
        with core.app_context():
            nikola = factories.user(Role.ADMIN, email="nikola@ops.example", name="Nikola Petrović")
            vesna = factories.user(Role.ADMIN, email="vesna@ops.example", name="Vesna Ilić", second_factor=False)
            db.session.commit()
            people = Person(nikola.email, nikola.name, nikola.id), Person(vesna.email, vesna.name, vesna.id)
    finally:
        with core.app_context():
            db.engine.dispose()
    yield World(portal, env, *people)



def passkeys_of(world: World, user_id: int) -> list[tuple[str, bool]]:
    """(name, used yet) of each of the person's passkeys."""
    return _read(world, select(Passkey.name, Passkey.last_used_at.isnot(None)).where(Passkey.user_id == user_id))


def audited_enrolments(world: World, user_id: int) -> list[dict[str, str]]:
    """The details of each audited enrolment of the person."""
    query = select(AuditEntry.details).where(
        AuditEntry.action == "second_factor.enrolled", AuditEntry.subject_id == str(user_id)
    )
    return [dict(details) for (details,) in _read(world, query)]


def _read(world: World, query: Select[Any]) -> list[Any]:
    core = create_app(Settings.from_env(world.env))
    try:
        with core.app_context():
            return [tuple(row) for row in db.session.execute(query)]
    finally:
        with core.app_context():
            db.engine.dispose()


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator (like a laptop's fingerprint reader) that always verifies the user."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def password_only(page: Page, person: Person) -> None:
    page.goto(f"{LOCAL}/login")
    page.fill("#email", person.email)
    page.fill("#password", person.password)
    page.click("form:has(#password) button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url or SECOND_STEP_PATH in url, timeout=STEP_TIMEOUT_MS)


def test_an_admin_signs_in_with_a_code_then_adds_a_passkey_and_signs_in_with_it(
    world: World, chromium: Browser, artifacts: Path
) -> None:
    page = chromium.new_context().new_page()
    add_virtual_authenticator(page)
    password_only(page, world.enrolled)
    assert page.url == f"{LOCAL}{SECOND_STEP_PATH}"
    assert page.locator("#passkey-sign-in-button").count() == 0  # no passkey yet
    page.fill("#code", totp_code(factories.TOTP_SECRET, totp_step(datetime.now(UTC))))
    page.click("form:has(#code) button[type=submit]")
    page.wait_for_url(f"{LOCAL}/", timeout=STEP_TIMEOUT_MS)
    page.screenshot(path=artifacts / "01-signed-in-with-a-code.png")

    page.goto(f"{LOCAL}/profile/security")
    page.fill("#passkey-name", "Office laptop")
    page.click("#passkey-register-button")
    page.wait_for_selector("text=The passkey Office laptop is added.", timeout=STEP_TIMEOUT_MS)
    page.screenshot(path=artifacts / "02-passkey-added.png")
    assert passkeys_of(world, world.enrolled.user_id) == [("Office laptop", False)]
    [enrolment] = audited_enrolments(world, world.enrolled.user_id)
    assert enrolment["method"] == "passkey"

    page.click("form[action='/logout'] button")
    password_only(page, world.enrolled)
    page.click("#passkey-sign-in-button")
    page.wait_for_url(f"{LOCAL}/", timeout=STEP_TIMEOUT_MS)
    page.screenshot(path=artifacts / "03-signed-in-with-the-passkey.png")
    assert "Nikola Petrović" in page.inner_text(".account-nav")
    assert passkeys_of(world, world.enrolled.user_id) == [("Office laptop", True)]


def test_an_admin_without_a_second_factor_sets_one_up_before_anything_else(
    world: World, chromium: Browser, artifacts: Path
) -> None:
    page = chromium.new_context().new_page()
    sign_in_at(page, world.portal, world.unenrolled, then=f"{LOCAL}/login")
    page.wait_for_url(f"{LOCAL}/profile/security", timeout=STEP_TIMEOUT_MS)
    assert "Your role needs a second factor" in page.inner_text("#enrolment-required")
    page.goto(f"{LOCAL}/bookings")
    assert page.url == f"{LOCAL}/profile/security"  # every page leads back here
    page.screenshot(path=artifacts / "01-enrol-first.png", full_page=True)
    secret = page.inner_text("#totp-secret").strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("#code", totp_code(secret, totp_step(datetime.now(UTC))))
    page.click("form:has(#code) button[type=submit]")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=artifacts / "02-recovery-codes.png")
    page.goto(f"{LOCAL}/bookings")
    assert page.url == f"{LOCAL}/bookings"
