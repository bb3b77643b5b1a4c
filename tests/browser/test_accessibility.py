"""Every page a person reaches, as each kind of person, checked in headless Chromium over the demo
pool: axe-core finds no critical or serious violation (and no id is used twice), on a desktop
screen and on a phone 390 CSS pixels wide, where no page may be wider than the screen.

Once in English and once in Arabic, as a browser asking for it (`Accept-Language: ar`) gets it:
each page must say `dir="rtl"` itself, and what is checked is the real Arabic page, its longer
words and mirrored layout included.

What was found goes to test-artifacts/<test name>/: `violations.txt`, `widths.txt` (every page's
width on the phone) and a screenshot of each page that failed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.axe import (
    DESKTOP_HEIGHT,
    DESKTOP_WIDTH,
    PHONE_HEIGHT,
    PageInspector,
    Violation,
    axe_unavailable_reason,
)
from tests.support.call_world import enter_password, sign_in_at
from tests.support.demo_world import (
    NOW,
    DemoWorld,
    ask_pashto_now,
    book_pashto_for_tomorrow,
    demo_world_logged,
    fill_pashto_now,
)
from tests.support.netns import Netns
from tests.support.second_factor import SECOND_STEP_PATH

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
LAST_MONTH = "2026-02"  # a whole month of the demo pool's past
# (Accept-Language, the direction its pages must declare, axe on a desktop screen too): the phone
# shows every scrolling table axe cares about; the desktop pass, once, the layouts only wide
# screens have.
LOCALES = (("en", "ltr", True), ("ar", "rtl", False))
HALFWAY = "admin after the password"


@dataclass(frozen=True)
class Visit:
    """A page as one person opens it, and the status it must answer with."""

    path: str
    status: int = 200
    ask_now: bool = False  # fill in and send the "Interpreter now" form: the page checked is the answer


@pytest.fixture
def world(netns: Netns, tmp_path: Path, artifacts: Path) -> Iterator[DemoWorld]:
    reason = axe_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with demo_world_logged(netns, tmp_path, artifacts) as world:
        yield world


def test_every_page_passes_axe_and_fits_a_phone_in_english_and_right_to_left(
    world: DemoWorld, chromium: Browser, artifacts: Path
) -> None:
    started = time.monotonic()
    booked = book_pashto_for_tomorrow(chromium, world)  # Mariam has an offer waiting
    waiting = ask_pashto_now(chromium, world)  # Jelena waits for an interpreter now
    violations: list[Violation] = []
    too_wide: list[str] = []
    widths: list[str] = []
    for locale, direction, desktop in LOCALES:
        for role, visits in visits_by_role(world, booked, waiting).items():
            context = chromium.new_context(extra_http_headers={"Accept-Language": locale})
            context.clock.install(time=NOW)  # the call page counts down to the demo call
            page = context.new_page()
            inspector = PageInspector(page)
            if role == HALFWAY:  # the password taken, the second step asked for
                enter_password(page, world.portal, world.people["admin"])
            elif role != "signed out":
                sign_in_at(page, world.portal, world.people[role], now=world.clock.now)
            for visit in visits:
                label = f"{locale} {role} {visit.path}"
                url = world.portal.url(visit.path)
                found, width = check(page, inspector, url, visit, direction, desktop, label)
                violations += found
                widths.append(f"{width:5d}  {label}")
                if width > PHONE_WIDTH:
                    too_wide.append(f"{label}: {width} px")
                if found or width > PHONE_WIDTH:
                    page.screenshot(path=artifacts / f"{re.sub(r'[^A-Za-z0-9]+', '-', label)}.png", full_page=True)
            context.close()
    (artifacts / "violations.txt").write_text("".join(f"{item}\n" for item in violations))
    (artifacts / "widths.txt").write_text("\n".join(widths) + "\n")
    print(f"{len(widths)} pages checked in {time.monotonic() - started:.1f} s")
    assert not violations, "axe-core (critical, serious):\n" + "\n".join(map(str, violations))
    assert not too_wide, f"wider than a {PHONE_WIDTH} px phone:\n" + "\n".join(too_wide)


def visits_by_role(world: DemoWorld, booked: int, waiting: int) -> dict[str, list[Visit]]:
    """The pages people reach (by role, as DEMO_LOGINS names them), each page once where what it
    shows does not depend on who looks; the error pages among them. `waiting`: a request for an
    interpreter now, in the queue."""
    call, mariam, office = world.call_booking_id, world.interpreter_id, world.department_id
    people, endpoint = world.people, world.endpoint_id
    return {
        "signed out": [
            Visit("/login"),
            Visit("/password/forgot"),
            Visit(f"/password/reset/{world.reset_token}"),
            Visit("/no-such-page", 404),
        ],
        HALFWAY: [Visit(SECOND_STEP_PATH)],
        "caseworker": [
            Visit("/"),
            Visit("/bookings"),
            Visit("/bookings/new"),
            Visit(f"/bookings/{booked}"),
            Visit(f"/bookings/{call}"),
            Visit(f"/calls/{call}"),
            Visit("/now"),
            Visit("/now", ask_now=True),  # nobody suitable is reachable: wait or book
            Visit(f"/now/requests/{waiting}"),  # its place in the queue, live
            Visit("/profile"),  # with API tokens
            Visit("/profile/security"),
            Visit("/desk", 403),
        ],
        "focal point": [
            Visit("/"),
            Visit("/departments"),
            Visit(f"/departments/{office}"),
            Visit(f"/reports?month={LAST_MONTH}"),  # one country's
            Visit("/accounts"),  # the country's
            Visit("/audit"),
            Visit("/webhooks"),
            Visit(f"/webhooks/{endpoint}"),  # with its delivery log
        ],
        "interpreter": [
            Visit("/"),
            Visit("/offers"),
            Visit("/jobs"),
            Visit("/availability"),
            Visit("/now/available"),
            Visit(f"/interpreters/{mariam}"),
            Visit(f"/bookings/{call}"),
            Visit(f"/calls/{call}"),
            Visit("/profile"),  # with the name shown in calls
            Visit("/reports", 403),
        ],
        "coordinator": [
            Visit("/"),
            Visit("/desk"),
            Visit(f"/bookings/{booked}"),  # with the engine's reasons and the assign form
            Visit("/interpreters"),
            Visit(f"/interpreters/{mariam}"),
            Visit(f"/interpreters/{mariam}/edit"),
            Visit("/interpreters/new"),
            Visit("/pool/accreditations"),
            Visit("/pool/import"),
            Visit("/pool/phone-countries"),
            Visit(f"/reports?month={LAST_MONTH}"),  # every country's, with utilisation
            Visit(f"/reports/print?month={LAST_MONTH}"),
            Visit("/accounts"),  # the interpreters'
            Visit("/audit"),
        ],
        "admin": [
            Visit("/"),
            Visit("/profile/security"),  # the second factor: the app, passkeys, recovery codes
            Visit("/accounts"),
            Visit("/accounts/new"),
            Visit(f"/accounts/{people['caseworker'].user_id}"),
            Visit(f"/accounts/{people['interpreter'].user_id}"),
            Visit("/authorities"),
            Visit(f"/authorities/{world.country_id}"),
            Visit(f"/authorities/departments/{office}"),
            Visit("/audit"),
            Visit("/webhooks"),
            Visit(f"/webhooks/{endpoint}"),
            Visit("/no-such-page", 404),
        ],
    }


def check(
    page: Page, inspector: PageInspector, url: str, visit: Visit, direction: str, desktop: bool, label: str
) -> tuple[list[Violation], int]:
    """axe's findings on `url` on a phone (and on a desktop when `desktop`), and its width on the phone;
    the page must declare `direction` on its root element."""
    inspector.resize(DESKTOP_WIDTH, DESKTOP_HEIGHT)
    response = page.goto(url)
    assert response is not None and response.status == visit.status, f"{label}: {response and response.status}"
    if visit.ask_now:
        fill_pashto_now(page)
    declared = page.evaluate("document.documentElement.dir")
    assert declared == direction, f"{label}: the page says dir={declared!r}, not {direction!r}"
    found = inspector.violations(f"{label} (desktop)") if desktop else []
    inspector.resize(PHONE_WIDTH, PHONE_HEIGHT)  # a page without a phone viewport lays out 980 px wide
    found += inspector.violations(f"{label} ({PHONE_WIDTH} px)")
    return unique(found), inspector.scroll_width()


def unique(violations: list[Violation]) -> list[Violation]:
    """One finding per rule and element, whichever screen showed it first."""
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    kept = []
    for item in violations:
        key = (item.page.rsplit(" (", 1)[0], item.rule, item.nodes)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
