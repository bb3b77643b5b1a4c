"""Case data reaches an interpreter only while she needs it (issue 13, item 1).

The whole matrix: Mariam's part in a booking (an open offer; the job hers, within the span;
the job done and the span over; declined; withdrawn because Omid accepted first; expired;
replaced by hand; the booking cancelled) against every surface that shows a booking (the API's
detail and list, the booking page, her offers and jobs pages, the call page, e-mail, SMS and the
calendar invite). Every step runs through the real services, the real outbox dispatcher, a
real SMTP server and the Twilio SDK's own transport, on a clock the test moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import Connection, func, select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.audit.models.entries import AuditEntry
from rris.bookings.models.bookings import Booking, Offer
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import assign_by_hand, cancel_booking, request_booking
from rris.calls.domain.call_participants import Participant
from rris.calls.services import call_records
from rris.calls.services.session_lifecycle import complete_finished_sessions, start_due_sessions
from rris.context import current_clock
from rris.enums import CallRole, Role
from rris.extensions import db
from rris.notifications.services import outbox
from rris.offers.services.offers import accept_offer, decline_offer, expire_offers
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import FrozenClock
from tests import factories
from tests.api.test_bookings_api import token_for
from tests.calls.test_call_page import CONFIG_BLOCK, config_of
from tests.conftest import DEFAULT_NOW, rolled_back
from tests.support.booking_setup import booking_setup, waves
from tests.support.calendars import parse_ics
from tests.support.letterhead import letterhead
from tests.support.smtp import SmtpServer
from tests.support.twilio_recorder import RecordedRequest, sms_recorded

START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)  # Wednesday 09:00 Belgrade, 12:30 Kabul
END = START + timedelta(hours=2)
SPAN = timedelta(hours=2)  # RRIS_CASE_DETAILS_HOURS by default
CASE = "RS-2026-0777"
NOTES = "Room 4; the applicant prefers short sentences."
MARIAM = "mariam@pool.example"
MARIAM_PHONE = "+93700123456"
SECRETS = (CASE, NOTES)


@dataclass(frozen=True)
class Expected:
    """What Mariam should find in one state."""

    visible: bool
    case_details: bool = False
    offer: bool = False  # an open offer: on /offers
    job: bool = False  # hers: on /jobs, in the call
    subjects: tuple[str, ...] = ("Job offer",)
    sms_count: int = 1
    invites: tuple[str, ...] = ()


STATES: dict[str, Expected] = {
    "open offer": Expected(visible=True, offer=True),
    "confirmed, within the span": Expected(
        visible=True,
        case_details=True,
        job=True,
        subjects=("Job offer", "Confirmed", "Join now"),
        sms_count=2,
        invites=("REQUEST",),
    ),
    "confirmed, the span over": Expected(
        visible=True, job=True, subjects=("Job offer", "Confirmed"), invites=("REQUEST",)
    ),
    "declined": Expected(visible=False),
    "withdrawn": Expected(visible=False),
    "expired": Expected(visible=False),
    "replaced": Expected(
        visible=False, subjects=("Job offer", "Confirmed", "Cancelled"), invites=("REQUEST", "CANCEL")
    ),
    "cancelled": Expected(
        visible=False, subjects=("Job offer", "Confirmed", "Cancelled"), invites=("REQUEST", "CANCEL")
    ),
}


@dataclass(frozen=True)
class World:
    """The booking of one state, and what was sent while it reached that state."""

    app: Flask
    booking_id: int
    code: str
    mails: tuple[EmailMessage, ...]
    sms: tuple[RecordedRequest, ...]

    def mails_to_mariam(self) -> list[EmailMessage]:
        return [message for message in self.mails if message["To"] == MARIAM]

    def sms_to_mariam(self) -> list[str]:
        return [str(r.data["Body"]) for r in self.sms if r.data and r.data.get("To") == MARIAM_PHONE]


def _services(app: Flask):
    """A request context for the services (translations), committed at the end."""

    class _Step:
        def __enter__(self):
            self.context = app.test_request_context()
            self.context.__enter__()

        def __exit__(self, *exc):
            if exc[0] is None:
                db.session.commit()
            self.context.__exit__(*exc)

    return _Step()


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _profile(email: str) -> InterpreterProfile:
    return _user(email).interpreter_profile


def _offer_of(booking: Booking, email: str) -> Offer:
    return next(offer for offer in booking.offers if offer.interpreter_id == _profile(email).id)


def _accept(app, email: str) -> None:
    with _services(app):
        booking = db.session.scalars(select(Booking)).one()
        accept_offer(_offer_of(booking, email).id, _profile(email), current_clock().now())


def _dispatch(app, clock) -> None:
    with app.app_context():
        outbox.dispatch_due(clock, letterhead())


def _deliver_the_session(app, booking_id: int, mariam_id: int, jelena_id: int) -> None:
    """The scheduler starts it, both sides are in the call for the two hours, it completes."""
    with app.app_context():
        start_due_sessions(START)
        call_records.record_join(
            booking_id, Participant.user(jelena_id), CallRole.OFFICER, "Jelena", "browser", "c-1", START
        )
        call_records.record_join(
            booking_id, Participant.user(mariam_id), CallRole.INTERPRETER, "Mariam", "browser", "c-2", START
        )
        call_records.record_leave("c-1", END, call_records.LEFT, None)
        call_records.record_leave("c-2", END, call_records.LEFT, None)
        complete_finished_sessions(END + timedelta(hours=1))


STEPS: dict[str, Callable[[Flask, object], None]] = {}


def step(name: str):
    def register(function):
        STEPS[name] = function
        return function

    return register


@step("open offer")
def _open(app, clock) -> None:
    pass


@step("confirmed, within the span")
def _confirmed_now(app, clock) -> None:
    _accept(app, MARIAM)
    _dispatch(app, clock)
    clock.set(START + timedelta(minutes=5))  # the session is on; the call is open


@step("confirmed, the span over")
def _confirmed_long_ago(app, clock) -> None:
    _accept(app, MARIAM)
    _dispatch(app, clock)
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        ids = booking.id, _user(MARIAM).id, booking.created_by_id
        db.session.commit()
    _deliver_the_session(app, *ids)
    clock.set(END + SPAN)


@step("declined")
def _declined(app, clock) -> None:
    with _services(app):
        booking = db.session.scalars(select(Booking)).one()
        decline_offer(
            _offer_of(booking, MARIAM).id, _profile(MARIAM), "Another hearing then.", current_clock().now(), waves()
        )


@step("withdrawn")
def _withdrawn(app, clock) -> None:
    _accept(app, "omid@pool.example")


@step("expired")
def _expired(app, clock) -> None:
    clock.set(clock.now() + timedelta(minutes=30))
    with _services(app):
        expire_offers(current_clock().now(), waves())


@step("replaced")
def _replaced(app, clock) -> None:
    _accept(app, MARIAM)
    _dispatch(app, clock)
    with _services(app):
        booking = db.session.scalars(select(Booking)).one()
        elena = _user("elena@marri.example")
        omid = _profile("omid@pool.example")
        assign_by_hand(booking.id, omid.id, actor_of(elena), current_clock().now(), despite=True)


@step("cancelled")
def _cancelled(app, clock) -> None:
    _accept(app, MARIAM)
    _dispatch(app, clock)
    with _services(app):
        booking = db.session.scalars(select(Booking)).one()
        jelena = _user("jelena@mup.rs.example")
        cancel_booking(booking.id, actor_of(jelena), "The applicant withdrew the claim.", current_clock().now())


@pytest.fixture(scope="module", params=list(STATES))
def state(request) -> str:
    return request.param


@dataclass(frozen=True)
class Built:
    """A world built once per state and backend, its clock, and the transaction that holds it."""

    world: World
    now: datetime
    connection: Connection


@pytest.fixture(scope="module")
def built(app: Flask, smtp_server: tuple[SmtpServer, int], state: str) -> Iterator[Built]:
    """The surfaces only look, so every test of a state shares its world (each in a savepoint
    of the transaction that built it, see `_database`): building it dispatches four rounds of
    mail through SMTP and costs more than the look."""
    clock: FrozenClock = app.extensions["rris.clock"]
    mailbox = smtp_server[0].mailbox
    with sms_recorded(app) as sms, rolled_back(app) as connection:
        mailbox.clear()
        booking_id, code = _build(app, clock, state)
        world = World(app, booking_id, code, tuple(mailbox.messages), tuple(sms.requests))
        yield Built(world, clock.now(), connection)
    clock.set(DEFAULT_NOW)


@pytest.fixture
def shared_connection(built: Built) -> Connection:
    return built.connection


@pytest.fixture
def world(built: Built, shared_connection: Connection, clock: FrozenClock) -> World:
    """Mariam's part in the booking at `state`, at the time the world was left at; the test runs
    in a savepoint of the world's transaction (`shared_connection`)."""
    clock.set(built.now)
    return built.world


def _build(app: Flask, clock: FrozenClock, state: str) -> tuple[int, str]:
    """Jelena books Pashto for Wednesday 09:00 Belgrade (offers go to Mariam and Omid), then
    Mariam's part reaches `state`; the scheduler dispatches the outbox after every step."""
    clock.set(START - timedelta(days=2))
    with _services(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        jelena = factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        factories.interpreter(
            email=MARIAM,
            pairs=(("pus", "srp"),),
            name="Mariam Ahmadzai",
            phone=MARIAM_PHONE,
            phone_verified_at=datetime(2025, 12, 1, tzinfo=UTC),
            sms_opt_in=True,
        )
        factories.interpreter(email="omid@pool.example", pairs=(("pus", "srp"),), name="Omid Karimi")
        factories.user(Role.COORDINATOR, email="elena@marri.example")
        request = BookingRequest(
            applicant_language="pus",
            officer_language="srp",
            session_kind="asylum_interview",
            start_local="2026-01-14T09:00",
            duration_minutes=120,
            case_reference=CASE,
            notes=NOTES,
        )
        booking, _created = request_booking(request, jelena, actor_of(jelena), current_clock().now(), booking_setup())
        assert {offer.interpreter.user.email for offer in booking.offers} == {MARIAM, "omid@pool.example"}
        booking_id, code = booking.id, booking.code
    _dispatch(app, clock)
    STEPS[state](app, clock)
    _dispatch(app, clock)
    return booking_id, code


def _reads(app, booking_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "booking.read",
                AuditEntry.subject_id == str(booking_id),
                AuditEntry.actor_user_id == _user(MARIAM).id,
            )
        )


def _signed_in(browser):
    assert browser.sign_in(MARIAM, factories.PASSWORD).status_code == 302
    return browser.client


def _page_shows_secrets(page: str) -> bool:
    found = {secret in page for secret in SECRETS}
    assert len(found) == 1, "the case reference and the notes go together"
    return found.pop()


# The surfaces


def test_api_detail(world, state):
    expected = STATES[state]
    response = world.app.test_client().get(f"/api/v1/bookings/{world.booking_id}", headers=token_for(world.app, MARIAM))
    if not expected.visible:
        assert response.status_code == 404
        assert _reads(world.app, world.booking_id) == 0
        return
    assert response.status_code == 200
    body = response.get_json()
    assert (body["case_reference"], body["notes"]) == ((CASE, NOTES) if expected.case_details else (None, None))
    # What is needed to decide is always there.
    assert (body["applicant_language"], body["officer_language"]) == ("pus", "srp")
    assert body["session_kind"] == "asylum_interview" and body["modality"] == "video"
    assert body["country"] == "RS" and body["department"]["city"] == "Belgrade"
    assert body["starts_at"] == "2026-01-14T08:00:00Z" and body["duration_minutes"] == 120
    assert body["conflicts"] == [] and body["allowed_actions"] == []
    assert bool(body["interpreters"]) is expected.job
    assert _reads(world.app, world.booking_id) == 1  # the read is audited


def test_api_list(world, state):
    expected = STATES[state]
    items = world.app.test_client().get("/api/v1/bookings", headers=token_for(world.app, MARIAM)).get_json()["items"]
    mine = [item for item in items if item["id"] == world.booking_id]
    assert bool(mine) is expected.visible
    for item in mine:
        assert (item["case_reference"] is not None) is expected.case_details
        assert (item["notes"] is not None) is expected.case_details
    offers = world.app.test_client().get("/api/v1/offers", headers=token_for(world.app, MARIAM)).get_json()["items"]
    assert [offer["booking"]["id"] for offer in offers] == ([world.booking_id] if expected.offer else [])
    for offer in offers:
        assert not any(secret in str(offer) for secret in SECRETS)
        assert offer["booking"]["city"] == "Belgrade" and offer["booking"]["duration_minutes"] == 120


def test_booking_page(world, state, browser):
    expected = STATES[state]
    response = _signed_in(browser).get(f"/bookings/{world.booking_id}")
    if not expected.visible:
        assert response.status_code == 404
        assert _reads(world.app, world.booking_id) == 0
        return
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _page_shows_secrets(page) is expected.case_details
    assert "12:30" in page and "Kabul" in page and "Asylum Office Belgrade, Serbia" in page
    assert "Omid Karimi" not in page and "History" not in page and "Messages" not in page
    assert ("Delivered: 2 h" in page) is (state == "confirmed, the span over")
    assert _reads(world.app, world.booking_id) == 1


def test_offers_and_jobs_pages(world, state, browser):
    expected = STATES[state]
    client = _signed_in(browser)
    offers = client.get("/offers").get_data(as_text=True)
    assert ("Accept this job" in offers) is expected.offer
    assert not _page_shows_secrets(offers)
    jobs = client.get("/jobs").get_data(as_text=True)
    assert (world.code in jobs) is expected.job
    assert _page_shows_secrets(jobs) is (expected.case_details and expected.job)


def test_call_page(world, state, browser):
    expected = STATES[state]
    response = _signed_in(browser).get(f"/calls/{world.booking_id}")
    if not expected.job:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert not _page_shows_secrets(page)
    if state == "confirmed, within the span":
        assert config_of(response)["me"]["role"] == "interpreter"  # the call page, with her ticket
    else:
        assert "Join the session" in page and CONFIG_BLOCK.search(page) is None  # the holding page, no ticket


def test_email(world, state):
    expected = STATES[state]
    mails = world.mails_to_mariam()
    subjects = [mail["Subject"] for mail in mails]
    assert len(subjects) == len(expected.subjects)
    for subject, prefix in zip(subjects, expected.subjects, strict=True):
        assert subject.startswith(prefix), subjects
    for mail in mails:
        text = mail.get_body(preferencelist=("plain",)).get_content()
        assert not any(secret in text for secret in SECRETS)
        if mail["Subject"].startswith("Cancelled"):
            assert "Omid Karimi" not in text  # a replaced interpreter learns nothing new of the job


def test_sms(world, state):
    expected = STATES[state]
    bodies = world.sms_to_mariam()
    assert len(bodies) == expected.sms_count
    assert not any(secret in body for body in bodies for secret in SECRETS)
    if expected.sms_count == 2:
        assert f"/calls/{world.booking_id}" in bodies[1]


def test_invite(world, state):
    expected = STATES[state]
    methods = []
    for mail in world.mails_to_mariam():
        for part in mail.iter_attachments():
            if part.get_content_type() != "text/calendar":
                continue
            raw = part.get_content()
            calendar = parse_ics(raw)
            methods.append(calendar.method.value)
            assert not any(secret in raw for secret in SECRETS)
            description = calendar.vevent.description.value
            assert world.code in description and "Pashto" in calendar.vevent.summary.value
            if calendar.method.value == "CANCEL":
                assert "Omid Karimi" not in raw
    assert tuple(methods) == expected.invites
