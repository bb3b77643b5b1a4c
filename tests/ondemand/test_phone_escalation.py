"""Telephone escalation: an on-demand request nobody answered within RRIS_ONDEMAND_PHONE_AFTER_SECONDS
calls the phones of on-call interpreters, best first and one at a time, through the real twilio
SDK (a recording transport, no network). Pressing 1 on the signed webhook takes the call by the
page's own accept rule and answers TwiML that streams her phone into the officer's room; any
other key moves on to the next; a late 1 hears a polite "already taken". The scheduler's job
drives it on the app's clock. Real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 (parses only the TwiML our own app wrote)
from datetime import timedelta
from types import SimpleNamespace

import pytest
from babel import Locale
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_tickets import TicketKind, read_ticket
from rris.enums import Proficiency
from rris.extensions import db
from rris.ondemand.domain.states import CallState, RingChannel, RingOutcome
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.ondemand.services.on_call import set_phone_on_call
from rris.phone.models.phone_legs import PhoneLeg
from scheduler.jobs import escalate_on_demand_to_phones
from scheduler.runner import JOBS
from tests import factories
from tests.conftest import DEFAULT_NOW, TEST_SECRET_KEY, committed
from tests.ondemand.support import ask, available_interpreter, live_ring_of
from tests.phone.test_twilio_webhooks import (  # noqa: F401 (the autouse fixture)
    PUBLIC,
    SIGNALING,
    _no_twilio_environment,
    post,
    signed,
    stream_ticket,
    twiml,
)
from tests.support.twilio_recorder import TEST_ACCOUNT_SID, changed_settings, twilio_voice
from tests.translations.catalogues import catalogue

NOW = DEFAULT_NOW  # Monday 08:00 UTC: 12:30 in Kabul, inside the interpreters' hours
AFTER = timedelta(seconds=60)
PROMPT = "An interpreter is needed now. Press 1 to take a %(language)s call for %(country)s."
TAKEN = "Thank you. This call has already been taken by another interpreter. Goodbye."
PHONES = {"mariam": "+93701234567", "nadia": "+93701234568", "ines": "+93701234569", "leyla": "+93701234570"}


@pytest.fixture
def twilio(app):
    """The portal has a Twilio account; phones are called after a request has waited 60 s."""
    with twilio_voice(app, signaling_public_url=SIGNALING, ondemand_phone_after_seconds=60) as recorder:
        yield recorder


@pytest.fixture
def world(app, clock, twilio):
    """The on-call world of `on_call_world`, with a Twilio account."""
    return on_call_world(app)


def on_call_world(app) -> SimpleNamespace:
    """Pashto-Serbian interpreters with verified phones, none on her page: Mariam (C2) and Nadia
    (C1) on call; Ines on call but accredited only for North Macedonia; Leyla not on call. Jelena,
    of Serbia's office, asks for Pashto now and chooses to wait."""
    with committed(app), app.test_request_context():
        nadia = factories.interpreter(pairs=(("pus", "srp"),), name="Nadia Rahimi")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        mariam.language_pairs[0].proficiency = Proficiency.C2  # the engine ranks her first
        ines = factories.interpreter(pairs=(("pus", "srp"),), accredited_for=("MK",), name="Ines Karimi")
        leyla = factories.interpreter(pairs=(("pus", "srp"),), name="Leyla Noori")
        people = {"mariam": mariam, "nadia": nadia, "ines": ines, "leyla": leyla}
        for name, profile in people.items():
            profile.user.phone = PHONES[name]
            profile.user.phone_verified_at = NOW - timedelta(days=3)
        db.session.commit()
        for name in ("mariam", "nadia", "ines"):
            set_phone_on_call(people[name].user, True, NOW - timedelta(days=1))
        jelena = factories.caseworker("RS")
        db.session.commit()
        heard = ask(actor_of(jelena), NOW, wait=True)
        return SimpleNamespace(
            call=heard.call_id,
            jelena=jelena.id,
            **{name: profile.id for name, profile in people.items()},
            users={name: profile.user.id for name, profile in people.items()},
        )


def tick(app, clock, at: timedelta) -> None:
    """The scheduler's job runs at NOW + `at`."""
    clock.set(NOW + at)
    with app.app_context():
        escalate_on_demand_to_phones()


def called(twilio) -> list[str]:
    return [str(request.data["To"]) for request in twilio.calls_placed]


def leg_of(app, world, name: str) -> tuple[int, str]:
    """The id and CallSid of the leg that rang this interpreter's phone for the request."""
    with app.app_context():
        ring = db.session.scalars(
            select(OnDemandRing).where(
                OnDemandRing.call_id == world.call, OnDemandRing.interpreter_id == getattr(world, name)
            )
        ).one()
        return ring.phone_leg_id, ring.phone_leg.call_sid


def picks_up(browser, leg_id: int, call_sid: str) -> ET.Element:
    params = {"AccountSid": TEST_ACCOUNT_SID, "CallSid": call_sid, "CallStatus": "in-progress"}
    return twiml(post(browser, f"/twilio/ondemand/{leg_id}", params))


def presses(browser, leg_id: int, call_sid: str, digits: str, headers: dict | None = None):
    params = {"AccountSid": TEST_ACCOUNT_SID, "CallSid": call_sid, "Digits": digits}
    return post(browser, f"/twilio/ondemand/{leg_id}/keys", params, headers)


def ring_outcomes(app, world) -> dict[int, tuple[RingChannel, RingOutcome | None]]:
    with app.app_context():
        rings = db.session.scalars(select(OnDemandRing).where(OnDemandRing.call_id == world.call))
        return {ring.interpreter_id: (ring.channel, ring.outcome) for ring in rings}


def call_row(app, world) -> tuple[CallState, int | None]:
    with app.app_context():
        call = db.session.get_one(OnDemandCall, world.call)
        return call.state, call.interpreter_id


def choose_locale(app, user_id: int, locale: str | None) -> None:
    with app.app_context():
        db.session.get_one(User, user_id).locale = locale
        db.session.commit()


def test_the_job_runs_every_five_seconds():
    [job] = [job for job in JOBS if job.function is escalate_on_demand_to_phones]
    assert job.every_seconds == 5


def test_the_best_on_call_interpreter_is_called_after_the_wait_and_not_before(app, clock, world, twilio):
    tick(app, clock, AFTER - timedelta(seconds=1))
    assert called(twilio) == []
    tick(app, clock, AFTER)
    assert called(twilio) == [PHONES["mariam"]]
    [placed] = twilio.calls_placed
    leg_id, call_sid = leg_of(app, world, "mariam")
    assert placed.data["Url"] == f"{PUBLIC}/twilio/ondemand/{leg_id}"
    assert placed.data["StatusCallback"] == f"{PUBLIC}/twilio/status"
    assert call_sid.startswith("CA")  # the CallSid Twilio gave back is kept on the leg
    tick(app, clock, AFTER + timedelta(seconds=5))
    assert called(twilio) == [PHONES["mariam"]]  # one phone at a time
    assert ring_outcomes(app, world) == {world.mariam: (RingChannel.PHONE, None)}
    assert call_row(app, world) == (CallState.RINGING, None)


def test_nobody_is_called_when_the_escalation_is_off(app, clock, world, twilio):
    with changed_settings(app, ondemand_phone_after_seconds=0):
        tick(app, clock, timedelta(minutes=10))
    assert called(twilio) == []


@pytest.mark.parametrize(
    ("locale", "language", "voice"),
    [("ar", "ar-XA", "Google.ar-XA-Standard-A"), ("tr", "tr-TR", "Google.tr-TR-Standard-A")],
)
def test_the_prompt_speaks_her_language(app, browser, clock, world, locale, language, voice):
    choose_locale(app, world.users["mariam"], locale)
    tick(app, clock, AFTER)
    root = picks_up(browser, *leg_of(app, world, "mariam"))
    (gather,) = root.findall("./Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == f"{PUBLIC}/twilio/ondemand/{leg_of(app, world, 'mariam')[0]}/keys"
    says = gather.findall("./Say")
    names = Locale.parse(locale)
    wanted = str(catalogue(locale)[PROMPT].string) % {
        "language": names.languages["ps"],
        "country": names.territories["RS"],
    }
    assert [(say.get("language"), say.get("voice"), say.text) for say in says][0] == (language, voice, wanted)
    assert wanted != PROMPT % {"language": "Pashto", "country": "Serbia"}
    assert root.find("./Connect") is None  # nobody is bridged before pressing 1


def test_a_pashto_reader_hears_the_prompt_in_english_as_no_voice_speaks_pashto(app, browser, clock, world):
    choose_locale(app, world.users["mariam"], "ps")
    tick(app, clock, AFTER)
    root = picks_up(browser, *leg_of(app, world, "mariam"))
    say = root.find("./Gather/Say")
    assert (say.get("language"), say.get("voice")) == ("en-GB", None)
    assert say.text == "An interpreter is needed now. Press 1 to take a Pashto call for Serbia."


def test_pressing_1_takes_the_call_and_streams_her_phone_into_the_officers_room(app, browser, clock, world):
    tick(app, clock, AFTER)
    leg_id, call_sid = leg_of(app, world, "mariam")
    picks_up(browser, leg_id, call_sid)
    clock.set(NOW + AFTER + timedelta(seconds=12))
    root = twiml(presses(browser, leg_id, call_sid, "1"))
    ticket = read_ticket(stream_ticket(root), TEST_SECRET_KEY, clock.now(), TicketKind.LEG)
    assert ticket.participant.encode() == f"phone-user-{world.users['mariam']}"
    assert root.find("./Say").text == "You are joining the call."
    with app.app_context():
        call = db.session.get_one(OnDemandCall, world.call)
        assert call.state is CallState.ANSWERED and call.interpreter_id == world.mariam
        assert call.answered_at == NOW + AFTER + timedelta(seconds=12)
        booking = db.session.get_one(Booking, call.booking_id)
        assert ticket.room == booking.call_room and ticket.booking_id == booking.id
        assert [a.interpreter_id for a in booking.active_assignments] == [world.mariam]
    assert ring_outcomes(app, world) == {world.mariam: (RingChannel.PHONE, RingOutcome.ACCEPTED)}
    # Twilio repeats a request it had no answer to: the same bridge, nothing taken twice.
    assert stream_ticket(twiml(presses(browser, leg_id, call_sid, "1"))) == stream_ticket(root)


@pytest.mark.parametrize("tamper", ["unsigned", "forged", "other_leg"])
def test_an_unsigned_or_forged_key_press_is_refused_and_takes_nothing(app, browser, clock, world, tamper):
    tick(app, clock, AFTER)
    leg_id, call_sid = leg_of(app, world, "mariam")
    params = {"AccountSid": TEST_ACCOUNT_SID, "CallSid": call_sid, "Digits": "1"}
    headers = {
        "unsigned": {},
        "forged": signed(f"/twilio/ondemand/{leg_id}/keys", params, token="not-our-auth-token-0123456789abcd"),
        "other_leg": signed(f"/twilio/ondemand/{leg_id + 1}/keys", params),
    }[tamper]
    response = presses(browser, leg_id, call_sid, "1", headers)
    assert response.status_code == 403 and b"<Response" not in response.data
    assert call_row(app, world) == (CallState.RINGING, None)
    assert ring_outcomes(app, world) == {world.mariam: (RingChannel.PHONE, None)}


def test_another_key_declines_and_the_next_on_call_interpreter_is_called(app, browser, clock, world, twilio):
    tick(app, clock, AFTER)
    leg_id, call_sid = leg_of(app, world, "mariam")
    picks_up(browser, leg_id, call_sid)
    root = twiml(presses(browser, leg_id, call_sid, "2"))
    assert root.find("./Connect") is None and root.find("./Hangup") is not None
    assert root.find("./Say").text == "Thank you. Another interpreter will be called."
    assert ring_outcomes(app, world) == {world.mariam: (RingChannel.PHONE, RingOutcome.DECLINED)}
    tick(app, clock, AFTER + timedelta(seconds=5))
    # Nadia next; never Ines (not accredited for Serbia) nor Leyla (not on call), nor Mariam again.
    assert called(twilio) == [PHONES["mariam"], PHONES["nadia"]]
    tick(app, clock, AFTER + timedelta(seconds=10))
    nadia_leg, nadia_sid = leg_of(app, world, "nadia")
    presses(browser, nadia_leg, nadia_sid, "9")
    tick(app, clock, AFTER + timedelta(seconds=15))
    assert called(twilio) == [PHONES["mariam"], PHONES["nadia"]]  # nobody else is on call for it
    assert call_row(app, world) == (CallState.WAITING, None)


def test_an_unanswered_phone_lapses_and_a_late_1_hears_the_call_is_already_taken(app, browser, clock, world, twilio):
    tick(app, clock, AFTER)
    mariam_leg, mariam_sid = leg_of(app, world, "mariam")
    tick(app, clock, AFTER + timedelta(seconds=89))
    assert called(twilio) == [PHONES["mariam"]]
    tick(app, clock, AFTER + timedelta(seconds=90))  # Mariam's phone rang 90 s unanswered
    assert called(twilio) == [PHONES["mariam"], PHONES["nadia"]]
    hang_ups = [r for r in twilio.requests if r.method == "POST" and r.url.endswith(f"/Calls/{mariam_sid}.json")]
    assert [r.data["Status"] for r in hang_ups] == ["completed"]  # her phone stops ringing
    nadia_leg, nadia_sid = leg_of(app, world, "nadia")
    picks_up(browser, nadia_leg, nadia_sid)
    assert twiml(presses(browser, nadia_leg, nadia_sid, "1")).find("./Connect/Stream") is not None
    # Mariam picked up just as her phone was hung up, and presses 1 after Nadia took the call.
    late = picks_up(browser, mariam_leg, mariam_sid)
    assert late.find("./Gather") is None and late.find("./Say").text == TAKEN
    root = twiml(presses(browser, mariam_leg, mariam_sid, "1"))
    assert root.find("./Connect") is None and root.find("./Hangup") is not None
    assert root.find("./Say").text == TAKEN
    assert call_row(app, world) == (CallState.ANSWERED, world.nadia)
    assert ring_outcomes(app, world) == {
        world.mariam: (RingChannel.PHONE, RingOutcome.MISSED),
        world.nadia: (RingChannel.PHONE, RingOutcome.ACCEPTED),
    }


def test_a_phone_that_is_not_answered_at_all_moves_on_when_twilio_says_so(app, browser, clock, world, twilio):
    tick(app, clock, AFTER)
    _leg_id, call_sid = leg_of(app, world, "mariam")
    status = {"AccountSid": TEST_ACCOUNT_SID, "CallSid": call_sid, "CallStatus": "no-answer"}
    assert post(browser, "/twilio/status", status).status_code == 204
    tick(app, clock, AFTER + timedelta(seconds=25))
    assert called(twilio) == [PHONES["mariam"], PHONES["nadia"]]
    assert ring_outcomes(app, world)[world.mariam] == (RingChannel.PHONE, RingOutcome.MISSED)


def test_the_toll_fraud_cap_per_session_stops_the_escalation(app, browser, clock, world, twilio):
    with changed_settings(app, phone_calls_per_booking=1):
        tick(app, clock, AFTER)
        leg_id, call_sid = leg_of(app, world, "mariam")
        presses(browser, leg_id, call_sid, "2")
        tick(app, clock, AFTER + timedelta(seconds=5))
    assert called(twilio) == [PHONES["mariam"]]  # Nadia is eligible, but the session had its one call
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PhoneLeg.id))) == 1


def test_a_phone_ringing_takes_no_pages_place(app, clock, world, twilio):
    tick(app, clock, AFTER)
    with app.app_context(), app.test_request_context():
        pages = [available_interpreter(NOW + AFTER + timedelta(seconds=1)) for _ in range(3)]
        assert all(live_ring_of(profile.id) is not None for profile in pages)  # RRIS_ONDEMAND_RINGS_AT_ONCE = 3
    assert ring_outcomes(app, world)[world.mariam] == (RingChannel.PHONE, None)  # and her phone rings on


def test_a_phone_picked_up_without_a_key_moves_on_even_if_twilio_never_reports_the_end(
    app, browser, clock, world, twilio
):
    tick(app, clock, AFTER)
    clock.set(NOW + AFTER + timedelta(seconds=80))
    picks_up(browser, *leg_of(app, world, "mariam"))  # she listens, and never presses a key
    tick(app, clock, AFTER + timedelta(seconds=135))
    assert called(twilio) == [PHONES["mariam"]]  # past the 90 s of ringing: she did pick up
    tick(app, clock, AFTER + timedelta(seconds=140))  # a minute after she picked up
    assert called(twilio) == [PHONES["mariam"], PHONES["nadia"]]
    assert ring_outcomes(app, world)[world.mariam] == (RingChannel.PHONE, RingOutcome.MISSED)
