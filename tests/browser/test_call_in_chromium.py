"""Real calls in headless Chromium through the portal and the signalling service.

The officer signs in, opens the session page and presses "Join the call"; the interpreter signs
in and opens the call page. Both reach "connected" over an encrypted connection and receive
each other's (fake) camera. The interpreter hangs up, the officer sees it, and the booking page
shows both attendances. In a second call the signalling service crashes and comes back on the
same port: the media keeps flowing meanwhile and both pages get back into the call.
Screenshots of every step go to test-artifacts/<test name>/, with each page's console log.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page
from sqlalchemy import select

from rris.calls.models.calls import CallAttendance
from rris.extensions import db
from tests.support.call_world import CallWorld, Person, sign_in, start_call_world
from tests.support.netns import Netns
from tests.support.ports import poll_until

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 10_000
MEDIA_WINDOW_SECONDS = 1.0  # inbound video must grow within this (and is given a little more)
RECORDS_TIMEOUT_SECONDS = 5.0


@pytest.fixture
def world(netns: Netns, tmp_path: Path) -> Iterator[CallWorld]:
    world = start_call_world(netns, tmp_path)
    yield world
    world.close()


@pytest.fixture
def pages(chromium: Browser, artifacts: Path) -> Iterator[dict[str, Page]]:
    """One browser context per person; each page's console is kept as an artefact."""
    with logged_pages({"officer": chromium, "interpreter": chromium}, artifacts) as pages:
        yield pages


@contextmanager
def logged_pages(browsers: dict[str, Browser], artifacts: Path) -> Iterator[dict[str, Page]]:
    """A page for each person in a context of its own in their browser; each page's console is
    kept as an artefact (`<person>-console.log`)."""
    pages, logs = {}, {}
    for who, browser in browsers.items():
        page = browser.new_context().new_page()
        log: list[str] = []
        page.on("console", lambda message, log=log: log.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error, log=log: log.append(f"pageerror: {error}"))
        pages[who], logs[who] = page, log
    try:
        yield pages
    finally:  # a failed test's logs are the ones people read
        for who, log in logs.items():
            (artifacts / f"{who}-console.log").write_text("\n".join(log) + "\n")


def test_an_officer_and_an_interpreter_hold_a_call_in_chromium_through_the_service(
    world: CallWorld, pages: dict[str, Page], artifacts: Path
) -> None:
    started = time.monotonic()
    officer, interpreter = pages["officer"], pages["interpreter"]
    shot = Screenshots(artifacts)
    sign_in(officer, world, world.officer)
    sign_in(interpreter, world, world.interpreter)
    shot(officer, "01-officer-signed-in")
    shot(interpreter, "01-interpreter-signed-in")

    # The officer joins from the session page, the interpreter by the call's address (the link
    # in her invitation: her jobs page has none).
    officer.goto(world.portal.url(world.booking_path))
    shot(officer, "02-officer-session-page", full_page=True)
    officer.click("#video-call a:has-text('Join the call')")
    officer.wait_for_url(f"**{world.call_path}")
    wait_state(officer, "waiting")
    shot(officer, "03-officer-waiting")
    interpreter.goto(world.portal.url(world.call_path))
    in_call(world, officer, interpreter)
    connected_after = time.monotonic() - started
    shot(officer, "04-officer-connected")
    shot(interpreter, "04-interpreter-connected")

    # The interpreter hangs up; the officer sees it at once and waits alone.
    interpreter.click("#leave-call")
    wait_state(interpreter, "ended")
    wait_state(officer, "waiting")
    assert tile(officer, world.interpreter).count() == 0
    assert last_notice(officer) == "Interpreter · Mariam left the call."  # in the room by role and first name
    shot(officer, "05-officer-after-interpreter-left")
    shot(interpreter, "05-interpreter-left")

    # The officer leaves too and goes back to the booking: its call panel lists both of them.
    officer.click("#leave-call")
    wait_state(officer, "ended")
    both_attended_from_browsers(world)
    officer.click("#booking-link")
    panel = officer.locator("section#call")
    panel.wait_for(timeout=STEP_TIMEOUT_MS)
    rows = panel.locator("tbody tr")
    expected = (("Jelena Marković", "officer"), ("Mariam Ahmadzai", "interpreter"))
    for row, (name, role) in zip(rows.all(), expected, strict=True):
        text = row.inner_text()
        assert name in text and role in text and "browser" in text and "left the call" in text
    panel.scroll_into_view_if_needed()
    shot(officer, "06-officer-call-panel")
    print(f"connected {connected_after:.1f} s after the test started; whole call {time.monotonic() - started:.1f} s")


def test_a_call_goes_on_while_the_signalling_service_crashes_and_comes_back(
    world: CallWorld, pages: dict[str, Page], artifacts: Path
) -> None:
    officer, interpreter = pages["officer"], pages["interpreter"]
    receiving = {"officer": (officer, world.interpreter), "interpreter": (interpreter, world.officer)}
    shot = Screenshots(artifacts)
    for page, person in ((officer, world.officer), (interpreter, world.interpreter)):
        sign_in(page, world, person)
        page.goto(world.portal.url(world.call_path))
    in_call(world, officer, interpreter)

    # SIGKILL: no goodbye to the sockets. The media is peer to peer and goes on meanwhile.
    world.crash_signaling()
    for page, _sender in receiving.values():
        wait_state(page, "reconnecting")
    assert not stalled_video(receiving.values()), "video stopped while the service was down"
    shot(officer, "01-officer-service-down")
    shot(interpreter, "01-interpreter-service-down")
    before = {who: video_bytes(page, sender) for who, (page, sender) in receiving.items()}
    seen = {who: len(all_notices(page)) for who, (page, _sender) in receiving.items()}

    # A new service on the same port: both pages rejoin with their tickets (backoff 0.5, 1, 2, 4 s).
    world.restart_signaling()
    in_call(world, officer, interpreter)
    shot(officer, "02-officer-back")
    shot(interpreter, "02-interpreter-back")

    # The new service has no memory of the room: the first page back is welcomed alone, but it
    # keeps its peer connection (the other is "away" to it) until the other page is back.
    rebuilt = [who for who, (page, sender) in receiving.items() if video_bytes(page, sender) < before[who]]
    notices = {who: all_notices(page)[seen[who]:] for who, (page, _sender) in receiving.items()}
    assert not rebuilt, f"the peer connections were rebuilt: {rebuilt}"
    false_news = [line for lines in notices.values() for line in lines if "left the" in line or "joined the" in line]
    assert not false_news, notices


class Screenshots:
    """Saves numbered screenshots into the test's artefacts folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, page: Page, name: str, full_page: bool = False) -> None:
        page.screenshot(path=self.folder / f"{name}.png", full_page=full_page)


def wait_state(page: Page, state: str) -> None:
    """Wait until the page's call status is `state`."""
    page.wait_for_selector(f'#call-status[data-state="{state}"]', timeout=STEP_TIMEOUT_MS)


def in_call(world: CallWorld, officer: Page, interpreter: Page) -> None:
    """Both pages show "connected", encrypted, with the other's tile, and receive the other's video."""
    receiving = ((officer, world.interpreter), (interpreter, world.officer))
    for page, sender in receiving:
        wait_state(page, "connected")
        page.wait_for_selector('#secure-indicator[data-secure="yes"]', timeout=STEP_TIMEOUT_MS)
        assert tile(page, sender).locator("video").count() == 1
    assert not stalled_video(receiving)


def tile(page: Page, person: Person) -> Locator:
    return page.locator(f'#call-tiles > li.call-tile[data-peer="{person.participant}"]')


def video_bytes(page: Page, sender: Person) -> int:
    """Video bytes `page` has received from `sender` on its current peer connection."""
    return page.evaluate("id => window.rrisCall.inboundVideoBytes(id)", sender.participant)


def stalled_video(receiving: Iterable[tuple[Page, Person]]) -> list[str]:
    """Of these (page, sender) pairs, the senders whose video bytes at the page did not grow
    within about a second (all pages watched at once); empty when video flows everywhere.

    A count that drops means the page connected afresh; growth is then counted from there."""
    first = [(page, sender, video_bytes(page, sender)) for page, sender in receiving]
    time.sleep(MEDIA_WINDOW_SECONDS)
    return [sender.name for page, sender, count in first if not grows(page, sender, count)]


def grows(page: Page, sender: Person, count: int) -> bool:
    deadline = time.monotonic() + 2 * MEDIA_WINDOW_SECONDS
    while time.monotonic() < deadline:
        now = video_bytes(page, sender)
        if now > count:
            return True
        count = min(count, now)
        time.sleep(0.1)
    return False


def all_notices(page: Page) -> list[str]:
    """The lines the call page shows in its notices, oldest first (the last few only)."""
    return [text.strip() for text in page.locator("#call-notices .call-notice").all_inner_texts()]


def last_notice(page: Page) -> str | None:
    notices = all_notices(page)
    return notices[-1] if notices else None


def attendances(world: CallWorld) -> list[tuple[str, str, str | None]]:
    """(participant, channel, why it ended) of every attendance of the booking, in order."""
    with world.core().app_context():
        rows = db.session.scalars(
            select(CallAttendance).where(CallAttendance.booking_id == world.booking_id).order_by(CallAttendance.id)
        )
        return [(row.participant, row.channel, row.left_reason) for row in rows]


def both_attended_from_browsers(world: CallWorld) -> None:
    """Once the records have caught up: the booking's attendances are the officer's and the
    interpreter's, in that order, both from a browser, and both ended with "left"."""
    assert poll_until(lambda: all_left(world), RECORDS_TIMEOUT_SECONDS, interval=0.2), attendances(world)
    assert [(who, channel) for who, channel, _reason in attendances(world)] == [
        (world.officer.participant, "browser"),
        (world.interpreter.participant, "browser"),
    ]


def all_left(world: CallWorld) -> bool:
    """Whether every attendance of the booking has ended with "left"."""
    rows = attendances(world)
    return bool(rows) and all(reason == "left" for _participant, _channel, reason in rows)
