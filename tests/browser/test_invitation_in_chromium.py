"""An admin invites a caseworker from the browser; the caseworker opens the e-mailed link, chooses
a password and signs in with it, in headless Chromium over the demo pool.

The portal runs in the test's network namespace without an SMTP server, so it writes each mail
as an .eml file in its instance folder (as `make run` does), which the test reads as a mail
program would.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.call_world import Person, sign_in_at
from tests.support.demo_world import demo_world_logged
from tests.support.netns import Netns
from tests.support.ports import poll_until

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 10_000
NEW_PASSWORD = "lanterns over the danube"


def invitation_link(mail_folder: Path, address: str) -> str:
    """The link of the invitation mailed to `address`, once its file is there."""
    found: list[str] = []

    def arrived() -> bool:
        for path in sorted(mail_folder.glob("*.eml")):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if message["To"] == address:
                body = message.get_body(preferencelist=("plain",)).get_content()
                found[:] = re.findall(r"http://\S+/invitation/\S+", body)
        return bool(found)

    poll_until(arrived, timeout=10.0)
    return found[0]


def test_an_admin_invites_a_caseworker_who_sets_her_password_from_the_mail(
    netns: Netns, tmp_path: Path, artifacts: Path, chromium: Browser
) -> None:
    with demo_world_logged(netns, tmp_path, artifacts) as world:
        admin_page = chromium.new_context().new_page()
        sign_in_at(admin_page, world.portal, world.people["admin"], now=world.clock.now)
        admin_page.goto(world.portal.url("/accounts"))
        admin_page.click("text=Invite someone")
        admin_page.fill("#name", "Milica Ilić")
        admin_page.fill("#email", "milica.ilic@mup.rs.example")
        admin_page.select_option("#role", "caseworker")
        admin_page.select_option("#department_id", str(world.department_id))
        admin_page.select_option("#locale", "en")
        admin_page.click("form:has(#email) button[type=submit]")
        expect(admin_page.locator("h1")).to_have_text("Milica Ilić", timeout=STEP_TIMEOUT_MS)
        admin_page.screenshot(path=str(artifacts / "invited.png"), full_page=True)

        link = invitation_link(tmp_path / "instance" / "mail", "milica.ilic@mup.rs.example")
        page = chromium.new_context().new_page()
        page.goto(link)
        expect(page.locator("h1")).to_have_text("Welcome to RRIS", timeout=STEP_TIMEOUT_MS)
        page.fill("#password", NEW_PASSWORD)
        page.fill("#confirm", NEW_PASSWORD)
        page.click("form:has(#confirm) button[type=submit]")
        page.wait_for_url("**/login**", timeout=STEP_TIMEOUT_MS)
        milica = Person("milica.ilic@mup.rs.example", "Milica Ilić", 0, NEW_PASSWORD)
        sign_in_at(page, world.portal, milica)
        expect(page.locator(".who-name")).to_have_text("Milica Ilić", timeout=STEP_TIMEOUT_MS)
        page.screenshot(path=str(artifacts / "signed-in.png"), full_page=True)
        # The link was good for one password only.
        page.goto(link)
        expect(page.locator("body")).to_contain_text("invalid or has expired", timeout=STEP_TIMEOUT_MS)
