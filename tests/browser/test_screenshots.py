"""The booking form, an offer, the call page and the report in Serbian Cyrillic and in Pashto, as
their readers see them in headless Chromium over the demo pool: full-page screenshots go to
test-artifacts/screenshots/ (`sr-Cyrl-1-booking-form.png` ... `ps-4-report.png`, with the
portal's and the signalling service's logs), for people to look at and for the README.

Each page must be marked in its language and direction (`<html lang dir>`), and its visible text
must read in the locale's script: Cyrillic letters for sr-Cyrl, Arabic-script ones for Pashto, at
least LEAST_SHARE of them. Names, codes and data as entered stay in Latin letters, so it is a
share, not all.
The browser is set up as a new reader's would be: its own locale asks for theirs (Accept-Language).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.call_world import sign_in_at
from tests.support.chromium import artifacts_dir
from tests.support.demo_world import NOW, STEP_TIMEOUT_MS, DemoWorld, book_pashto_for_tomorrow, demo_world_logged
from tests.support.netns import Netns

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1000, 800  # a laptop's window; the README shows them at this width
LAST_MONTH = "2026-02"  # a whole month of the demo pool's past
# The least share of a page's visible letters in the locale's script. Measured over the demo pool
# (script-shares.txt lists each page's share and its words in another script): 0.66-0.81 for the
# form, the offer and the call, 0.48-0.51 for the report, whose tables are mostly data (department
# and person names, dialects). Those shares were measured while country names, some languages' names
# and the Kosovo footnote still showed in English; they are now in the locale. The switcher lists
# every language in its own script; an English page scores under 0.1 (its switcher alone).
LEAST_SHARE = 0.45


@dataclass(frozen=True)
class Reader:
    """A locale as the browser asks for it, and how its pages must be marked and written."""

    tag: str  # Accept-Language, and the page's `lang`
    direction: str  # the page's `dir`
    script: str  # Unicode script of its letters (a `\\p{Script=...}` name)


@dataclass(frozen=True)
class Shot:
    """One page, opened as one role; `ready` is a selector that shows the page has what it is about."""

    name: str
    role: str
    path: str
    ready: str


READERS = (Reader("sr-Cyrl", "ltr", "Cyrillic"), Reader("ps", "rtl", "Arabic"))

# Of a page's visible text: how many letters, how many in `script`, and the words in another.
_LETTERS = r"""
script => {
  const text = document.body.innerText;
  const inScript = new RegExp(`(?=\\p{Script=${script}})\\p{L}`, "gu");
  const count = pattern => (text.match(pattern) || []).length;
  const words = text.match(/[\p{L}\p{M}]+/gu) || [];
  return JSON.stringify({
    letters: count(/\p{L}/gu),
    inScript: count(inScript),
    others: [...new Set(words.filter(word => !word.match(inScript)))],
  });
}
"""


@pytest.fixture
def folder() -> Path:
    """test-artifacts/screenshots/, emptied first: the screenshots, the shares and the services' logs."""
    return artifacts_dir("screenshots")


@pytest.fixture
def world(netns: Netns, tmp_path: Path, folder: Path) -> Iterator[DemoWorld]:
    with demo_world_logged(netns, tmp_path, folder) as world:
        yield world


def test_four_pages_in_serbian_cyrillic_and_in_pashto_read_in_their_script(
    world: DemoWorld, chromium: Browser, folder: Path
) -> None:
    started = time.monotonic()
    book_pashto_for_tomorrow(chromium, world)  # Mariam has an offer waiting
    shots = (
        Shot("1-booking-form", "caseworker", "/bookings/new", "#booking-form"),
        Shot("2-offer", "interpreter", "/offers", "li.offer"),
        Shot("3-call", "interpreter", f"/calls/{world.call_booking_id}", '#call-status[data-state="waiting"]'),
        Shot("4-report", "coordinator", f"/reports?month={LAST_MONTH}", "#cost table.report-table"),
    )
    misread: list[str] = []
    shares: list[str] = []
    for reader in READERS:
        pages: dict[str, Page] = {}
        for shot in shots:
            page = pages.get(shot.role) or signed_in(chromium, world, reader, shot.role)
            pages[shot.role] = page
            page.goto(world.portal.url(shot.path))
            page.wait_for_selector(shot.ready, timeout=STEP_TIMEOUT_MS)
            page.screenshot(path=folder / f"{reader.tag}-{shot.name}.png", full_page=True)
            label = f"{reader.tag} {shot.name} ({shot.role}, {shot.path})"
            marked = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
            if marked != [reader.tag, reader.direction]:
                misread.append(f"{label}: marked lang={marked[0]!r} dir={marked[1]!r}")
            role_shown = page.locator(".who-role").evaluate("e => [e.innerText, e.textContent]")
            if role_shown[0] != role_shown[1]:  # "Службеник За Азил": English title case, not Serbian
                misread.append(f"{label}: the header shows the role as {role_shown[0]!r}, not {role_shown[1]!r}")
            share, others = script_share(page, reader.script)
            shares.append(f"{share:.2f}  {label}\n      not {reader.script}: {' '.join(others)}")
            if share < LEAST_SHARE:
                misread.append(f"{label}: only {share:.0%} of its letters are {reader.script}; not: {' '.join(others)}")
        for page in pages.values():
            page.context.close()
    (folder / "script-shares.txt").write_text("\n".join(shares) + "\n")
    print(f"{len(shares)} screenshots in {time.monotonic() - started:.1f} s:\n" + "\n".join(shares))
    assert not misread, "\n".join(misread)


def signed_in(chromium: Browser, world: DemoWorld, reader: Reader, role: str) -> Page:
    """A new browser window asking for `reader`'s language, with `role` signed in."""
    # The browser's own locale sends Accept-Language and gives date inputs the reader's format.
    context = chromium.new_context(locale=reader.tag, viewport={"width": WIDTH, "height": HEIGHT})
    context.clock.install(time=NOW)  # the call page counts down to the demo call
    page = context.new_page()
    sign_in_at(page, world.portal, world.people[role], now=world.clock.now)
    return page


def script_share(page: Page, script: str) -> tuple[float, list[str]]:
    """The share of the page's visible letters that are in `script` (0 when it shows no letter),
    and the words it shows in another script."""
    counts = json.loads(page.evaluate(_LETTERS, script))
    share = counts["inScript"] / counts["letters"] if counts["letters"] else 0.0
    return share, counts["others"]
