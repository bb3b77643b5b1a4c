"""An interpreter now, end to end in headless Chromium through the portal and the signalling service.

Mariam switches "available now" on and keeps her page open; Jelena asks for Pashto now. Mariam's
page rings (the panel with the call's sentence, the countdown and the WebAudio ring), she accepts
and lands in the call; Jelena's waiting page follows the request over its own live connection and
opens the same call. Both are connected over an encrypted connection and receive each other's
(fake) camera, as in the scheduled call's test; when both have left, the coordinator's report for
the month counts the call, answered, and its minutes for Pashto in Serbia. With two interpreters
rung, the one who does not answer sees her ring stop the moment the other accepts. Screenshots
and each page's console go to test-artifacts/<test name>/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from rris.extensions import db
from rris.reports.domain.on_demand import OnDemandReport
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.on_demand import on_demand_report
from tests.browser.test_call_in_chromium import Screenshots, in_call
from tests.support.call_world import Person, sign_in
from tests.support.netns import Netns
from tests.support.ondemand_world import OnDemandWorld, start_ondemand_world
from tests.support.ports import poll_until

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 10_000
CALL_PAGE = re.compile(r".*/calls/(\d+)$")


@pytest.fixture
def world(netns: Netns, tmp_path: Path) -> OnDemandWorld:
    return start_ondemand_world(netns, tmp_path)


@pytest.fixture
def pages(chromium: Browser, artifacts: Path) -> Iterator[dict[str, Page]]:
    """One browser context per person; each page's console is kept as an artefact."""
    pages, logs = {}, {}
    for who in ("officer", "interpreter", "second interpreter", "coordinator"):
        page = chromium.new_context().new_page()
        log: list[str] = []
        page.on("console", lambda message, log=log: log.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error, log=log: log.append(f"pageerror: {error}"))
        pages[who], logs[who] = page, log
    yield pages
    for who, log in logs.items():
        (artifacts / f"{who}-console.log").write_text("\n".join(log) + "\n")


def test_the_officer_asks_for_pashto_the_interpreter_s_page_rings_she_accepts_and_both_are_in_the_call(
    world: OnDemandWorld, pages: dict[str, Page], artifacts: Path
) -> None:
    started = time.monotonic()
    officer, interpreter = pages["officer"], pages["interpreter"]
    shot = Screenshots(artifacts)

    # Mariam switches "available now" on; her page connects and says she can be rung.
    become_available(interpreter, world, world.interpreter)
    presence = interpreter.inner_text("#now-presence")
    assert "You are available now: calls in your languages ring on this page." in presence
    assert interpreter.is_hidden("#ring-panel")
    shot(interpreter, "01-interpreter-available")

    # Jelena asks for Pashto now: it rings at once, and her page follows the request.
    sign_in(officer, world, world.officer)
    asked = time.monotonic()
    ask_for_pashto_now(officer, world)
    shot(officer, "02-officer-waiting")

    # Mariam's page rings: the call's sentence, a countdown, the ring sound, Accept and Decline.
    interpreter.wait_for_selector('#ring-panel[data-ringing="yes"]', timeout=STEP_TIMEOUT_MS)
    rang_after = time.monotonic() - asked
    assert interpreter.inner_text("#ring-summary") == "Pashto and Serbian, for Serbia: Reception"
    assert re.fullmatch(r"\d+ seconds left to answer\.", interpreter.inner_text("#ring-countdown"))
    assert interpreter.get_attribute("#ring-panel", "data-sound") == "playing"
    assert interpreter.title().startswith("A call is ringing")
    shot(interpreter, "03-interpreter-ringing")

    # She accepts: the ring stops and she lands in the call; Jelena's page follows her there.
    interpreter.click("#accept-button")
    interpreter.wait_for_url(CALL_PAGE, timeout=STEP_TIMEOUT_MS)
    officer.wait_for_url(CALL_PAGE, timeout=STEP_TIMEOUT_MS)
    assert officer.url.rsplit("/", 1)[1] == interpreter.url.rsplit("/", 1)[1], "one call, the same booking"
    in_call(world, officer, interpreter)  # reads only the world's officer and interpreter
    shot(officer, "04-officer-connected")
    shot(interpreter, "04-interpreter-connected")
    print(f"rang {rang_after:.2f} s after the request; connected {time.monotonic() - started:.1f} s into the test")

    # Both hang up; once the room stays empty past the signalling's grace the call has ended, and
    # Amra's report for this month shows it: one request, answered, its minutes for Pashto in Serbia.
    for page in (officer, interpreter):
        page.click("#leave-call")
    month = datetime.now(UTC).strftime("%Y-%m")
    coordinator = pages["coordinator"]
    sign_in(coordinator, world, world.coordinator)
    ended: list[OnDemandReport] = []
    assert poll_until(lambda: answered_and_ended(world, month, ended), timeout=STEP_TIMEOUT_MS / 1000)
    coordinator.goto(world.portal.url(f"/reports?month={month}"))
    section = coordinator.locator("#on-demand")
    assert "Answered: 1 · Abandoned: 0" in section.inner_text()
    [calls] = section.locator("#table-on_demand tbody tr").all()
    assert calls.locator("td").all_inner_texts()[:3] == ["1", "1", "0"], "requests, answered, abandoned"
    [by_language] = section.locator("#table-on_demand_languages tbody tr").all()
    # As written, whatever the CSS case.
    row = [cell.strip() for cell in by_language.locator("th, td").all_text_contents()]
    assert row == ["Serbia", "Pashto", "1", str(ended[-1].delivered_minutes)], row
    shot(coordinator, "05-coordinator-report", full_page=True)


def test_when_one_interpreter_accepts_the_other_s_page_stops_ringing_at_once(
    world: OnDemandWorld, pages: dict[str, Page], artifacts: Path
) -> None:
    officer, mariam, nadia = pages["officer"], pages["interpreter"], pages["second interpreter"]
    shot = Screenshots(artifacts)
    for page, person in ((mariam, world.interpreter), (nadia, world.second_interpreter)):
        become_available(page, world, person)
    sign_in(officer, world, world.officer)
    ask_for_pashto_now(officer, world)
    for page in (mariam, nadia):
        page.wait_for_selector('#ring-panel[data-ringing="yes"][data-sound="playing"]', timeout=STEP_TIMEOUT_MS)

    nadia.click("#accept-button")
    nadia.wait_for_url(CALL_PAGE, timeout=STEP_TIMEOUT_MS)
    mariam.wait_for_selector("#ring-panel", state="hidden", timeout=STEP_TIMEOUT_MS)
    assert mariam.get_attribute("#ring-panel", "data-sound") == "off"
    assert mariam.inner_text("#ring-ended") == "Another interpreter answered the call, or the officer gave up."
    assert not mariam.title().startswith("A call is ringing")
    assert mariam.get_attribute("#now-switch", "data-available") == "yes", "she stays available for the next"
    shot(mariam, "01-mariam-after-nadia-accepted")


def answered_and_ended(world: OnDemandWorld, month: str, seen: list[OnDemandReport]) -> bool:
    """Whether the month's one on-demand call was answered and has been delivered (its figures go to `seen`)."""
    year, number = (int(part) for part in month.split("-"))
    core = world.core()
    try:
        with core.app_context():
            figures = on_demand_report(ReportFilter.month(year, number, "UTC"))
    finally:
        with core.app_context():
            db.engine.dispose()
    seen.append(figures)
    return figures.answered == 1 and figures.delivered_sessions == 1


def become_available(page: Page, world: OnDemandWorld, person: Person) -> None:
    """`person` signs in, opens "Available now", switches it on and is connected."""
    sign_in(page, world, person)
    page.goto(world.portal.url("/now/available"))
    page.click("#switch-button")
    page.wait_for_selector('#now-switch[data-available="yes"][data-reachable="yes"]', timeout=STEP_TIMEOUT_MS)


def ask_for_pashto_now(page: Page, world: OnDemandWorld) -> None:
    """The signed-in officer asks for Pashto now and lands on the page that follows the request."""
    page.goto(world.portal.url("/now"))
    page.select_option("#applicant_language", "pus")
    page.select_option("#officer_language", "srp")
    page.fill("#case_reference", "RS-NOW-2026-0042")
    page.click("#now-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/now/requests/\d+$"), timeout=STEP_TIMEOUT_MS)
