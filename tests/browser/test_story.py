"""The story that ends the project's domain description ("What working means to these users"),
walked end to end in headless Chromium.

Monday 12 January 2026, 10:00 in Belgrade: Jelena, a caseworker of the Asylum Office, books a
Pashto interpreter for tomorrow 09:00. Mariam, an interpreter in Kabul, is offered the job at
12:30 her time, accepts, and within a minute Jelena sees her name; both get an invitation their
calendars read at the right instant. Next morning the clock moves to 08:00 and 08:50: the
reminders arrive. Both follow the link in their reminder, sign in and see each other. At 09:30
Mariam's camera dies; she presses "Call me on my phone", the (simulated) phone joins the same
call and Jelena hears it. At 09:58 both leave. The coordinator's January report counts the
call's minutes once, on Serbia's bill. Last, a short look at July: Mariam sees a 09:00 Belgrade
session at 11:30 her time (Kabul keeps UTC+4:30, Belgrade moves to summer time).

The portal and the signalling service run on a clock the test moves (tests/support/story_clock.py),
and so does each browser's `Date` (playwright's clock; timers still run in real time); the
scheduler's jobs run in this process at each moment of the story. Screenshots of every step go
to test-artifacts/<test name>/, with each page's console log, the mail received and the
services' logs.

Once the call has closed (30 minutes after the booked end) the scheduler completes the session,
and only then does it count in the report.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from rris.bookings.models.bookings import Assignment, Booking
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.enums import BookingState
from rris.extensions import db
from rris.reports.domain.billing import session_cost
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.reports import monthly_report
from tests import factories
from tests.support.calendars import parse_ics, seen_instant, wall_clock
from tests.support.call_world import Person, take_second_step
from tests.support.netns import Netns
from tests.support.ports import poll_until
from tests.support.second_factor import SECOND_STEP_PATH
from tests.support.smtp import SmtpServer
from tests.support.story_world import (
    BOOKED_AT,
    HOURLY_RATE_EUR,
    SESSION_MINUTES,
    SESSION_STARTS_AT,
    StoryWorld,
    sign_in,
    start_story_world,
)

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 10_000
MEDIA_WINDOW_SECONDS = 1.0
RECORDS_TIMEOUT_SECONDS = 5.0
MAIL_TIMEOUT_SECONDS = 5.0
BELGRADE_JOIN = SESSION_STARTS_AT - timedelta(minutes=1)  # 08:59 in Belgrade
CAMERA_DIES = SESSION_STARTS_AT + timedelta(minutes=30)  # 09:30
CALL_ENDS = SESSION_STARTS_AT + timedelta(minutes=58)  # 09:58
# Summer: Tuesday 14 July 2026, 09:00 in Belgrade (CEST, UTC+2) = 07:00 UTC = 11:30 in Kabul.
SUMMER_NOW = datetime(2026, 7, 13, 8, 0, tzinfo=UTC)
SUMMER_SESSION = datetime(2026, 7, 14, 7, 0, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(netns: Netns, tmp_path: Path, smtp: SmtpServer, artifacts: Path) -> Iterator[StoryWorld]:
    world = start_story_world(netns, tmp_path, smtp)
    yield world
    world.close()
    for service in (world.portal, world.signaling):
        (artifacts / f"{service.name}.log").write_text(service.log_text())


@pytest.fixture
def people(chromium: Browser, artifacts: Path, smtp: SmtpServer) -> Iterator[dict[str, Page]]:
    """One browser context per person; each page's console and every mail received are kept."""
    pages, logs = {}, {}
    for who in ("caseworker", "interpreter", "coordinator"):
        context = chromium.new_context()
        context.clock.install(time=BOOKED_AT)  # the page's Date follows the story; time still flows
        page = context.new_page()
        log: list[str] = []
        watch_console(page, log)
        pages[who], logs[who] = page, log
    yield pages
    for who, log in logs.items():
        (artifacts / f"{who}-console.log").write_text("\n".join(log) + "\n")
    mail = [f"To: {m['To']}\nSubject: {m['Subject']}\n\n{body_text(m)}" for m in smtp.mailbox.messages]
    (artifacts / "mail.txt").write_text(("\n" + "=" * 72 + "\n").join(mail))


def test_a_belgrade_caseworker_and_a_kabul_interpreter_walk_the_whole_story(
    world: StoryWorld, people: dict[str, Page], smtp: SmtpServer, artifacts: Path
) -> None:
    started = time.monotonic()
    jelena, mariam, amra = people["caseworker"], people["interpreter"], people["coordinator"]
    shot = Screenshots(artifacts)
    inbox = Inbox(smtp)

    def time_is(instant: datetime) -> None:
        """Move the story's clock: the services' and every browser's (its Date, not its timers)."""
        world.clock.set(instant)
        for context in {page.context for page in people.values()}:
            context.clock.set_system_time(instant)

    # 1. Monday 10:00 in Belgrade: Jelena books Pashto for tomorrow 09:00.
    time_is(BOOKED_AT)
    sign_in(jelena, world, world.caseworker)
    jelena.goto(world.portal.url("/bookings/new"))
    jelena.select_option("#applicant_language", "pus")
    jelena.select_option("#officer_language", "srp")
    jelena.fill("#start_local", "2026-01-13T09:00")
    jelena.fill("#duration_minutes", str(SESSION_MINUTES))
    jelena.fill("#case_reference", "RS-AS-2026-0113")
    shot(jelena, "01-caseworker-books-pashto-for-tomorrow-0900", full_page=True)
    jelena.click("#booking-form button[type=submit]")
    jelena.wait_for_url(re.compile(r".*/bookings/\d+$"), timeout=STEP_TIMEOUT_MS)
    booking_id = int(jelena.url.rsplit("/", 1)[1])
    assert "1 interpreter has been asked" in flash(jelena)
    shot(jelena, "02-caseworker-booked-offers-out")

    # 2. The scheduler sends the offer: Mariam reads 12:30, her time in Kabul.
    world.scheduler_tick()
    [offer_mail] = inbox.new(1)
    assert offer_mail["To"] == world.interpreter.email
    assert offer_mail["Subject"].startswith("Job offer:") and "12:30" in offer_mail["Subject"], offer_mail["Subject"]

    # 3. A minute later Mariam opens her offers, sees 12:30 Kabul time and accepts.
    time_is(BOOKED_AT + timedelta(minutes=1))
    sign_in(mariam, world, world.interpreter)
    mariam.goto(world.portal.url("/offers"))
    offer = mariam.locator("li.offer").first
    when = offer.locator(".session-when").inner_text()
    assert "12:30" in when and "Kabul" in when, when
    assert "09:00" in offer.locator("dl.session-facts").inner_text()  # the department's time beside it
    shot(mariam, "03-interpreter-offer-1230-kabul", full_page=True)
    offer.locator("button:has-text('Accept this job')").click()
    mariam.wait_for_url("**/jobs", timeout=STEP_TIMEOUT_MS)
    assert "The job is yours" in flash(mariam)
    shot(mariam, "04-interpreter-accepted-jobs", full_page=True)

    # 4. Both get the invitation; each calendar reads the same instant, on its own wall clock.
    world.scheduler_tick()
    invitations = {message["To"]: message for message in inbox.new(2)}
    for person, zone_name, wall in (
        (world.caseworker, "Europe/Belgrade", datetime(2026, 1, 13, 9, 0)),
        (world.interpreter, "Asia/Kabul", datetime(2026, 1, 13, 12, 30)),
    ):
        message = invitations[person.email]
        assert message["Subject"].startswith("Confirmed:"), message["Subject"]
        calendar = parse_ics(calendar_part(message))
        assert seen_instant(calendar, "dtstart") == SESSION_STARTS_AT
        assert wall_clock(calendar, "dtstart") == (zone_name, wall)
    show_mail(jelena.context, invitations[world.interpreter.email], artifacts / "05-interpreter-invitation-mail.png")

    # 5. Within a minute of booking, Jelena sees who accepted.
    jelena.reload()
    assert jelena.locator(".lead .state").inner_text().strip() == "confirmed"
    assert "Mariam Ahmadzai" in jelena.locator(".assignment").first.inner_text()
    shot(jelena, "06-caseworker-sees-mariam-accepted", full_page=True)

    # 6. Tuesday: the reminders an hour before and at 08:50 arrive, for both.
    time_is(SESSION_STARTS_AT - timedelta(hours=1))
    world.scheduler_tick()
    assert sorted(m["To"] for m in inbox.new(2) if m["Subject"].startswith("In 1 hour:")) == both(world)
    time_is(SESSION_STARTS_AT - timedelta(minutes=10))
    world.scheduler_tick()
    reminders = {m["To"]: m for m in inbox.new(2)}
    assert sorted(reminders) == both(world)
    link = world.portal.url(f"/calls/{booking_id}")
    for message in reminders.values():
        assert message["Subject"].startswith("Join now:"), message["Subject"]
        assert f"Join the call: {link}" in body_text(message)
    assert "12:30" in reminders[world.interpreter.email]["Subject"]
    show_mail(jelena.context, reminders[world.interpreter.email], artifacts / "07-interpreter-reminder-0850.png")

    # 7. At 08:59 both follow the link in their reminder, sign in again and see each other.
    time_is(BELGRADE_JOIN)
    follow(jelena, world, world.caseworker, link)
    follow(mariam, world, world.interpreter, link)
    in_call(jelena, mariam, world.caseworker, world.interpreter)
    assert abs(jelena.evaluate("Date.now()") / 1000 - BELGRADE_JOIN.timestamp()) < 60  # the page lives the story too
    shot(jelena, "08-caseworker-in-call")
    shot(mariam, "08-interpreter-in-call")

    # 8. 09:30: Mariam's camera dies; Jelena stops receiving her picture. Nobody is told they
    # failed to join (the scheduler's no-show check finds both there).
    time_is(CAMERA_DIES)
    world.scheduler_tick()
    assert inbox.new(0) == []
    mariam.evaluate("document.getElementById('local-video').srcObject.getVideoTracks().forEach(t => t.stop())")
    assert stalled(jelena, world.interpreter.participant, "video"), "Mariam's video still arrives"
    shot(jelena, "09-caseworker-interpreter-video-cut")

    # 9. She presses "Call me on my phone": the simulated phone opens and joins the same call.
    phone_id = f"phone-{world.interpreter.participant}"
    with mariam.context.expect_page(timeout=STEP_TIMEOUT_MS) as opened:
        mariam.click("#phone-call")
    simulator = opened.value
    simulator_log: list[str] = []
    watch_console(simulator, simulator_log)
    simulator.wait_for_selector('#phone-status[data-state="on-call"]', timeout=STEP_TIMEOUT_MS)
    mariam.wait_for_selector('#phone-panel[data-state="on-phone"]', timeout=STEP_TIMEOUT_MS)
    phone_tile = jelena.locator(f'#call-tiles > li.call-tile[data-peer="{phone_id}"]')
    phone_tile.wait_for(timeout=STEP_TIMEOUT_MS)
    assert phone_tile.get_attribute("data-phone") == "yes"
    assert "phone" in phone_tile.locator(".call-tile-phone").inner_text().lower()
    assert grows(jelena, phone_id, "audio"), "Jelena does not hear Mariam's phone"
    assert poll_until(lambda: frames_received(simulator) > 0, MEDIA_WINDOW_SECONDS * 2), "the phone hears nothing"
    assert grows(mariam, world.caseworker.participant, "video"), "Mariam no longer sees Jelena"
    assert mariam.locator("#local-microphone-off").is_visible()  # her voice goes by phone only, not twice
    jelena.wait_for_selector('#secure-indicator[data-secure="yes"]', timeout=STEP_TIMEOUT_MS)
    shot(jelena, "10-caseworker-hears-interpreter-on-phone")
    shot(mariam, "10-interpreter-on-phone", full_page=True)
    shot(simulator, "10-simulated-phone")
    (artifacts / "simulated-phone-console.log").write_text("\n".join(simulator_log) + "\n")

    # 10. 09:58: the interview is over. Mariam leaves (her phone hangs up with her), then Jelena.
    time_is(CALL_ENDS)
    mariam.click("#leave-call")
    wait_state(mariam, "ended")
    simulator.wait_for_selector('#phone-status[data-state="ended"]', timeout=STEP_TIMEOUT_MS)
    jelena.click("#leave-call")
    wait_state(jelena, "ended")
    assert poll_until(lambda: all_left(world, booking_id), RECORDS_TIMEOUT_SECONDS, interval=0.2)
    jelena.click("#booking-link")
    panel = jelena.locator("section#call")
    panel.wait_for(timeout=STEP_TIMEOUT_MS)
    assert "phone" in panel.inner_text()
    panel.screenshot(path=artifacts / "11-caseworker-call-panel.png")
    rows = attendances(world, booking_id)
    assert sorted((who, channel) for who, channel, _start, _end in rows) == sorted(
        [
            (world.caseworker.participant, "browser"),
            (world.interpreter.participant, "browser"),
            (phone_id, "phone"),
        ]
    )

    # 11. The minutes are counted once: Mariam was there by browser and by phone at once.
    [officer_span] = [end - start for who, _c, start, end in rows if who == world.caseworker.participant]
    interpreter_total = sum(
        (end - start for who, _c, start, end in rows if who != world.caseworker.participant), timedelta()
    )
    delivered = delivered_seconds(world, booking_id)
    assert delivered <= officer_span.total_seconds() < interpreter_total.total_seconds()
    assert delivered >= (CALL_ENDS - BELGRADE_JOIN - timedelta(minutes=1)).total_seconds()

    # 12. The call closes half an hour after the booked end; the scheduler completes the session,
    #     and the coordinator's January report shows the minutes once, on Serbia's bill.
    assert booking_state(world, booking_id) is BookingState.IN_PROGRESS
    time_is(SESSION_STARTS_AT + timedelta(minutes=SESSION_MINUTES + 31))
    world.scheduler_tick()
    assert booking_state(world, booking_id) is BookingState.COMPLETED
    time_is(datetime(2026, 2, 2, 8, 0, tzinfo=UTC))
    with world.core().app_context():
        serbia = monthly_report(ReportFilter.month(2026, 1, world.coordinator_zone, country_code="RS"))
        everyone = monthly_report(ReportFilter.month(2026, 1, world.coordinator_zone))
    cost = session_cost(delivered, Decimal(HOURLY_RATE_EUR))
    assert (serbia.delivered_sessions, serbia.delivered_seconds) == (1, delivered)
    assert serbia.cost == {("RS", "EUR"): cost}
    assert serbia.seconds_by_language == {("RS", "pus"): delivered}
    assert (serbia.calls, serbia.phone_fallbacks) == (1, 1)
    assert everyone.cost == {("RS", "EUR"): cost} and everyone.delivered_seconds == delivered
    sign_in(amra, world, world.coordinator)
    response = amra.goto(world.portal.url("/reports?month=2026-01"))
    assert response is not None and response.status == 200
    minutes = str(serbia.delivered_minutes)
    assert minutes in amra.locator("#delivered-minutes").inner_text()
    [bill] = amra.locator("#cost tbody tr").all_text_contents()  # as written, whatever the CSS case
    assert "Serbia" in bill and "EUR" in bill and minutes in bill and str(cost) in bill, bill
    shot(amra, "12-coordinator-january-report", full_page=True)
    amra.locator("#cost").screenshot(path=artifacts / "12-coordinator-serbia-owes.png")

    # 13. Summer, cheaply: a confirmed 09:00 Belgrade session in July shows 11:30 to Mariam.
    time_is(SUMMER_NOW)
    confirm_summer_session(world)
    sign_in(mariam, world, world.interpreter)
    mariam.goto(world.portal.url("/jobs"))
    summer = mariam.locator("ol.job-list li.job").first.locator(".session-when").inner_text()
    assert "11:30" in summer and "Kabul" in summer, summer
    shot(mariam, "13-interpreter-summer-job-1130", full_page=True)

    print(f"the whole story took {time.monotonic() - started:.1f} s")


# Pages


class Screenshots:
    """Saves numbered screenshots into the test's artefacts folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, page: Page, name: str, full_page: bool = False) -> None:
        page.screenshot(path=self.folder / f"{name}.png", full_page=full_page)


def watch_console(page: Page, log: list[str]) -> None:
    page.on("console", lambda message: log.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.append(f"pageerror: {error}"))


def flash(page: Page) -> str:
    return " ".join(page.locator(".flashes .flash").all_inner_texts())


def follow(page: Page, world: StoryWorld, person: Person, link: str) -> None:
    """Open `link` from a mail; sign in first when the portal asks (a night has passed)."""
    page.goto(link)
    if "/login" in page.url:
        page.fill("#email", person.email)
        page.fill("#password", person.password)
        page.click("form:has(#password) button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url or SECOND_STEP_PATH in url, timeout=STEP_TIMEOUT_MS)
        if SECOND_STEP_PATH in page.url:
            take_second_step(page, person.totp_secret, world.clock.now())
    page.wait_for_url(link, timeout=STEP_TIMEOUT_MS)


def wait_state(page: Page, state: str) -> None:
    page.wait_for_selector(f'#call-status[data-state="{state}"]', timeout=STEP_TIMEOUT_MS)


def in_call(officer: Page, interpreter: Page, officer_person: Person, interpreter_person: Person) -> None:
    """Both pages connected and secured, each with the other's tile, each receiving the other's video."""
    for page, sender in ((officer, interpreter_person), (interpreter, officer_person)):
        wait_state(page, "connected")
        page.wait_for_selector('#secure-indicator[data-secure="yes"]', timeout=STEP_TIMEOUT_MS)
        page.locator(f'#call-tiles > li.call-tile[data-peer="{sender.participant}"] video').wait_for(
            timeout=STEP_TIMEOUT_MS
        )
        assert grows(page, sender.participant, "video"), f"no video from {sender.name}"


def frames_received(simulator: Page) -> int:
    """Media frames the simulated phone has received from the call (what Mariam hears)."""
    return simulator.evaluate("window.rrisPhone.framesReceived()")


def inbound_bytes(page: Page, sender: str, kind: str) -> int:
    hook = "inboundVideoBytes" if kind == "video" else "inboundAudioBytes"
    return page.evaluate(f"id => window.rrisCall.{hook}(id)", sender)


def grows(page: Page, sender: str, kind: str, window: float = 2 * MEDIA_WINDOW_SECONDS) -> bool:
    """Whether `page` receives more `kind` bytes from `sender` within `window` seconds."""
    first = inbound_bytes(page, sender, kind)
    return poll_until(lambda: inbound_bytes(page, sender, kind) > first, window, interval=0.1)


def stalled(page: Page, sender: str, kind: str) -> bool:
    """Whether `kind` from `sender` stops arriving at `page` (no growth for a whole window) within a few seconds."""
    deadline = time.monotonic() + 5 * MEDIA_WINDOW_SECONDS
    while time.monotonic() < deadline:
        if not grows(page, sender, kind, window=MEDIA_WINDOW_SECONDS):
            return True
    return False


# Mail


class Inbox:
    """The messages the test's SMTP server received, read a batch at a time."""

    def __init__(self, smtp: SmtpServer) -> None:
        self.mailbox = smtp.mailbox
        self.read = 0

    def new(self, count: int) -> list[EmailMessage]:
        """The `count` messages that arrived since the last call (and no more)."""
        # The scheduler's tick has handed them to the server already; the wait is for slow hosts.
        arrived = self.mailbox.wait_for(self.read + count, timeout=MAIL_TIMEOUT_SECONDS)
        fresh = arrived[self.read :]
        self.read = len(arrived)
        assert len(fresh) == count, [m["Subject"] for m in fresh]
        return fresh


def both(world: StoryWorld) -> list[str]:
    return sorted([world.caseworker.email, world.interpreter.email])


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def calendar_part(message: EmailMessage) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content.decode() if isinstance(content, bytes) else content
    raise AssertionError(f"no text/calendar part in {message['Subject']!r}")


def show_mail(context: BrowserContext, message: EmailMessage, path: Path) -> None:
    """A screenshot of `message` as a plain mail reader shows it (no network: set as content)."""
    page = context.new_page()
    headers = "".join(
        f"<tr><th>{name}</th><td>{html.escape(str(message[name]))}</td></tr>" for name in ("From", "To", "Subject")
    )
    attachments = "".join(
        f"<li>{html.escape(part.get_filename() or part.get_content_type())}</li>"
        for part in message.walk()
        if part.get_content_disposition() == "attachment" or part.get_content_type() == "text/calendar"
    )
    page.set_content(
        "<body style='font: 15px system-ui, sans-serif; margin: 24px; max-width: 760px'>"
        f"<table style='text-align: left'>{headers}</table><hr>"
        f"<pre style='white-space: pre-wrap; font: inherit'>{html.escape(body_text(message))}</pre>"
        + (f"<hr><p>Attached:</p><ul>{attachments}</ul>" if attachments else "")
        + "</body>"
    )
    page.screenshot(path=path, full_page=True)
    page.close()


# Records


def attendances(world: StoryWorld, booking_id: int) -> list[tuple[str, str, datetime, datetime]]:
    """(participant, channel, joined, left) of every attendance of the booking that has ended."""
    with world.core().app_context():
        rows = db.session.scalars(
            select(CallAttendance).where(CallAttendance.booking_id == booking_id).order_by(CallAttendance.id)
        )
        return [(row.participant, row.channel, row.joined_at, row.left_at) for row in rows if row.left_at]


def all_left(world: StoryWorld, booking_id: int) -> bool:
    with world.core().app_context():
        reasons = db.session.scalars(
            select(CallAttendance.left_reason).where(CallAttendance.booking_id == booking_id)
        ).all()
    return len(reasons) == 3 and all(reason is not None for reason in reasons)


def delivered_seconds(world: StoryWorld, booking_id: int) -> int:
    with world.core().app_context():
        summary = db.session.get(CallSummary, booking_id)
        assert summary is not None and summary.delivered_seconds is not None
        return summary.delivered_seconds


def booking_state(world: StoryWorld, booking_id: int) -> BookingState:
    with world.core().app_context():
        return db.session.get(Booking, booking_id).state


def confirm_summer_session(world: StoryWorld) -> None:
    """Mariam holds a confirmed session on Tuesday 14 July 2026, 09:00 in Belgrade."""
    with world.core().app_context():
        mariam = db.session.scalars(select(Assignment)).first().interpreter
        office = db.session.scalars(select(Booking)).first().department
        booking = factories.booking(
            department=office,
            starts_at=SUMMER_SESSION,
            minutes=SESSION_MINUTES,
            state=BookingState.CONFIRMED,
            created_by=db.session.scalars(select(Booking)).first().created_by,
        )
        booking.code = "RR-JUL14A"  # in the portal's style (the factory's codes read T000123)
        booking.assignments.append(
            Assignment(
                interpreter=mariam,
                busy_from=booking.starts_at,
                busy_until=booking.ends_at,
                assigned_at=SUMMER_NOW,
            )
        )
        db.session.commit()
