"""Twilio's webhooks act only on requests signed, with the auth token, over the public URL Twilio
called (behind a TLS proxy the portal itself sees plain http) and exactly the parameters sent.
Signatures come from twilio's own RequestValidator. Forged, unsigned, re-addressed or extended
requests get 403 and change nothing; a replayed status report changes nothing. The TwiML is
read as XML: the answered phone streams to the signalling service with its leg ticket."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 (parses only the TwiML our own app wrote)
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_participants import Participant, ParticipantKind
from rris.calls.domain.call_tickets import TicketKind, read_ticket
from rris.enums import CallRole, PhoneLegStatus
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg, PhoneLegEvent
from rris.phone.services.phone_legs import phone_leg_id, request_dial_out
from tests.conftest import TEST_SECRET_KEY, committed
from tests.support.call_bookings import OPEN, open_call, token
from tests.support.twilio_recorder import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    CannedResponse,
    changed_settings,
    phone_setup,
    twilio_voice,
)

PUBLIC = "https://rris.test"
SIGNALING = "wss://signal.rris.test"
DIAL_IN = "+381117654321"
MOBILE = "+381641234567"
CALL_SID = "CA" + "7c" * 16
CALLER = "+38761987654"


@pytest.fixture(autouse=True)
def _no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_EDGE", "TWILIO_REGION", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def twilio(app):
    """The portal has a Twilio account and a dial-in number; the signalling service is behind TLS."""
    with twilio_voice(
        app,
        CannedResponse(201, {"sid": CALL_SID, "status": "queued"}),
        signaling_public_url=SIGNALING,
        dial_in_number=DIAL_IN,
    ) as recorder:
        yield recorder


@pytest.fixture
def rung(app, clock, twilio):
    """Mariam's verified phone is being rung for the open call of Wednesday's interview."""
    with committed(app), app.test_request_context():
        booking, jelena, mariam = open_call(clock)
        mariam.phone, mariam.phone_verified_at = MOBILE, clock.now() - timedelta(days=1)
        db.session.commit()
        token(booking, jelena, clock)  # Jelena joined: the room and its PIN exist
        dialing = request_dial_out(booking.id, Participant.user(mariam.id), clock.now(), phone_setup())
        return SimpleNamespace(booking=booking.id, leg=dialing.leg_id, mariam=mariam.id, pin=booking.dial_in_pin)


def signed(path: str, params: dict[str, str], token: str = TEST_AUTH_TOKEN, url: str | None = None) -> dict[str, str]:
    """The X-Twilio-Signature header Twilio sends for these parameters posted to PUBLIC + path."""
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url or PUBLIC + path, params)}


def post(browser, path: str, params: dict[str, str], headers: dict[str, str] | None = None):
    return browser.client.post(path, data=params, headers=headers if headers is not None else signed(path, params))


def answered(call_sid: str = CALL_SID) -> dict[str, str]:
    return {
        "AccountSid": TEST_ACCOUNT_SID,
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
        "From": "+15005550006",
        "To": MOBILE,
    }


def status(value: str, **extra: str) -> dict[str, str]:
    return {"AccountSid": TEST_ACCOUNT_SID, "CallSid": CALL_SID, "CallStatus": value, **extra}


def twiml(response) -> ET.Element:
    assert response.status_code == 200 and response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))  # noqa: S314 (our own TwiML)
    assert root.tag == "Response"
    return root


def stream_ticket(root: ET.Element) -> str:
    (stream,) = root.findall("./Connect/Stream")
    assert stream.get("url") == f"{SIGNALING}/phone/stream"
    (parameter,) = stream.findall("./Parameter")
    assert parameter.get("name") == "ticket"
    return parameter.get("value")


def leg_row(app, leg_id: int) -> tuple:
    with app.app_context():
        leg = db.session.get(PhoneLeg, leg_id)
        events = db.session.scalar(select(func.count(PhoneLegEvent.id)).where(PhoneLegEvent.leg_id == leg_id))
        return leg.call_sid, leg.status, leg.answered_at, leg.ended_at, leg.duration_seconds, events


# --- the voice webhook ----------------------------------------------------------------------


def test_an_answered_phone_is_connected_to_the_bridge_with_its_leg_ticket(app, browser, rung, clock):
    response = post(browser, f"/twilio/voice/{rung.leg}", answered())
    ticket = read_ticket(stream_ticket(twiml(response)), TEST_SECRET_KEY, clock.now(), TicketKind.LEG)
    assert ticket.participant.encode() == f"phone-user-{rung.mariam}" and ticket.role is CallRole.INTERPRETER
    assert ticket.booking_id == rung.booking and phone_leg_id(ticket) == rung.leg
    with app.app_context():
        assert ticket.room == db.session.get(Booking, rung.booking).call_room


def test_the_signature_covers_the_public_https_url_not_the_address_the_portal_sees(app, browser, rung):
    """The test client talks plain http to localhost, as the portal behind a TLS proxy does."""
    params = answered()
    as_seen = signed("", params, url=f"http://localhost/twilio/voice/{rung.leg}")
    assert post(browser, f"/twilio/voice/{rung.leg}", params, as_seen).status_code == 403
    assert post(browser, f"/twilio/voice/{rung.leg}", params).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "empty", "forged", "other_url", "other_leg", "extra_parameter", "changed_parameter", "query"],
)
def test_requests_twilio_did_not_sign_as_sent_are_refused_and_change_nothing(app, browser, rung, caplog, tamper):
    path, params = f"/twilio/voice/{rung.leg}", answered()
    with app.app_context():
        db.session.execute(db.update(PhoneLeg).where(PhoneLeg.id == rung.leg).values(call_sid=None))
        db.session.commit()  # as if Twilio's answer to the create was lost: a genuine answer would adopt
    before = leg_row(app, rung.leg)
    headers = signed(path, params)
    if tamper == "unsigned":
        headers = {}
    elif tamper == "empty":
        headers = {"X-Twilio-Signature": ""}
    elif tamper == "forged":
        headers = signed(path, params, token="not-our-auth-token-0123456789abcd")
    elif tamper == "other_url":
        headers = signed(path, params, url=f"https://evil.example/twilio/voice/{rung.leg}")
    elif tamper == "other_leg":
        path = f"/twilio/voice/{rung.leg + 1}"
    elif tamper == "extra_parameter":
        params = {**params, "Injected": "1"}
    elif tamper == "changed_parameter":
        params = {**params, "CallSid": "CA" + "66" * 16}
    elif tamper == "query":
        path += "?leg=1"
    response = post(browser, path, params, headers)
    assert response.status_code == 403 and b"<Response" not in response.data
    assert leg_row(app, rung.leg) == before
    assert "Twilio webhook /twilio/voice/" in caplog.text and "refused" in caplog.text
    genuine = post(browser, f"/twilio/voice/{rung.leg}", answered())
    assert genuine.status_code == 200 and leg_row(app, rung.leg)[0] == CALL_SID


def test_a_signed_query_string_is_part_of_the_signed_url(app, browser, rung):
    path, params = f"/twilio/voice/{rung.leg}?attempt=2", answered()
    assert post(browser, path, params).status_code == 200


def test_the_voice_webhook_of_another_call_gets_no_ticket(app, browser, rung):
    post(browser, f"/twilio/voice/{rung.leg}", answered())
    other = answered(call_sid="CA" + "55" * 16)
    assert post(browser, f"/twilio/voice/{rung.leg}", other).status_code == 403


def test_without_a_twilio_account_every_webhook_is_refused(app, browser, rung):
    params = status("completed", CallDuration="30")
    with changed_settings(app, twilio_auth_token=""):
        assert post(browser, "/twilio/status", params).status_code == 403
        assert post(browser, "/twilio/incoming", {"From": CALLER}).status_code == 403
    assert leg_row(app, rung.leg)[1] is PhoneLegStatus.QUEUED


# --- status reports -------------------------------------------------------------------------


def test_status_reports_are_recorded_once_with_the_billed_duration(app, browser, rung, clock):
    assert post(browser, "/twilio/status", status("ringing")).status_code == 204
    assert post(browser, "/twilio/status", status("in-progress")).status_code == 204
    clock.advance(timedelta(minutes=7))
    report = status("completed", CallDuration="421")
    assert post(browser, "/twilio/status", report).status_code == 204
    after = leg_row(app, rung.leg)
    assert after[1] is PhoneLegStatus.COMPLETED and after[4] == 421 and after[5] == 3
    clock.advance(timedelta(minutes=1))
    assert post(browser, "/twilio/status", report).status_code == 204  # a replay: accepted, a no-op
    assert post(browser, "/twilio/status", status("completed", CallDuration="9000")).status_code == 204
    assert leg_row(app, rung.leg) == after


def test_a_forged_status_report_changes_nothing(app, browser, rung):
    before = leg_row(app, rung.leg)
    report = status("completed", CallDuration="9000")
    forged = signed("/twilio/status", report, token="not-our-auth-token-0123456789abcd")
    assert post(browser, "/twilio/status", report, forged).status_code == 403
    assert post(browser, "/twilio/status", report, {}).status_code == 403
    assert leg_row(app, rung.leg) == before


def test_the_webhooks_need_no_csrf_token_and_no_sign_in(app, browser, rung):
    assert post(browser, "/twilio/status", status("ringing")).status_code == 204
    assert browser.client.get("/twilio/status").status_code == 405


# --- the dial-in line -----------------------------------------------------------------------


def incoming(pin_digits: str, caller: str = CALLER, call_sid: str = CALL_SID.replace("7c", "3d")) -> dict[str, str]:
    return {
        "AccountSid": TEST_ACCOUNT_SID,
        "CallSid": call_sid,
        "From": caller,
        "To": DIAL_IN,
        "Digits": pin_digits,
        "Direction": "inbound",
    }


def test_a_call_to_the_dial_in_number_is_asked_for_the_pin(app, browser, rung):
    root = twiml(post(browser, "/twilio/incoming", {"AccountSid": TEST_ACCOUNT_SID, "From": CALLER, "To": DIAL_IN}))
    (gather,) = root.findall("./Gather")
    assert gather.get("numDigits") == "6" and gather.get("method") == "POST"
    assert gather.get("action") == f"{PUBLIC}/twilio/incoming/pin"
    assert "6-digit PIN" in gather.find("./Say").text
    assert root.find("./Hangup") is not None  # after the Gather, when nothing was typed


def test_the_right_pin_joins_the_call_as_a_caller(app, browser, rung, clock):
    root = twiml(post(browser, "/twilio/incoming/pin", incoming(rung.pin)))
    assert root.find("./Say").text == "You are joining the call."
    ticket = read_ticket(stream_ticket(root), TEST_SECRET_KEY, clock.now(), TicketKind.LEG)
    assert ticket.participant.kind is ParticipantKind.CALLER and ticket.role is CallRole.GUEST
    assert ticket.display_name == "Caller ending 7654" and ticket.booking_id == rung.booking


def test_wrong_pins_are_asked_again_and_then_the_line_hangs_up(app, browser, rung):
    wrong = f"{(int(rung.pin) + 1) % 10**6:06d}"
    for _ in range(5):
        root = twiml(post(browser, "/twilio/incoming/pin", incoming(wrong)))
        assert "This PIN is not right." in root.find("./Gather/Say").text
    root = twiml(post(browser, "/twilio/incoming/pin", incoming(rung.pin)))
    assert root.find("./Say").text.startswith("Too many wrong PINs")
    assert root.find("./Hangup") is not None and root.find("./Connect") is None


def test_a_pin_outside_the_calls_hours_is_told_when_the_call_opens(app, browser, rung, clock):
    clock.set(OPEN - timedelta(hours=3))
    root = twiml(post(browser, "/twilio/incoming/pin", incoming(rung.pin)))
    assert "The call opens at" in root.find("./Say").text
    assert root.find("./Hangup") is not None and root.find("./Connect") is None


def test_without_a_dial_in_number_the_line_takes_no_calls(app, browser, rung):
    with changed_settings(app, dial_in_number=""):
        root = twiml(post(browser, "/twilio/incoming", {"From": CALLER}))
        assert root.find("./Gather") is None and root.find("./Hangup") is not None
        root = twiml(post(browser, "/twilio/incoming/pin", incoming(rung.pin)))
        assert root.find("./Connect") is None
    with app.app_context():
        inbound = db.session.scalar(select(func.count(PhoneLeg.id)).where(PhoneLeg.participant.like("phone-dialin-%")))
        assert inbound == 0
