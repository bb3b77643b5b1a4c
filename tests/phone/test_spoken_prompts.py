"""Telephone prompts speak the language of the person on the line, through a voice that speaks it:
the Turkish interpreter hears Turkish, the Serbian caseworker Serbian (Google's sr-RS voice), the
Pashto-speaking interpreter English, as no voice `<Say>` offers speaks Pashto. Through signed
webhooks and twilio's own TwiML, read as XML, the sentences taken from the shipped catalogues."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from rris.accounts.models.accounts import User
from rris.calls.domain.call_participants import Participant
from rris.extensions import db
from rris.phone.domain.spoken_languages import SPOKEN_VOICES, spoken_voice
from rris.phone.services.phone_legs import request_dial_out
from tests.conftest import committed
from tests.phone.test_twilio_webhooks import (  # noqa: F401 (twilio and the autouse fixture are fixtures)
    DIAL_IN,
    _no_twilio_environment,
    answered,
    incoming,
    post,
    twilio,
    twiml,
)
from tests.support.call_bookings import open_call, token
from tests.support.twilio_recorder import TEST_ACCOUNT_SID, phone_setup
from tests.translations.catalogues import catalogue

JOINING = "You are joining the call."
WELCOME = "Welcome to RRIS."


def said(locale: str, english: str) -> str:
    return english if locale == "en" else str(catalogue(locale)[english].string)


@pytest.fixture
def call(app, clock, twilio):  # noqa: F811
    """The open call of Wednesday's interview: Jelena (Serbia's office, no language chosen) and
    Mariam, each with a verified phone."""
    with committed(app), app.test_request_context():
        booking, jelena, mariam = open_call(clock)
        jelena.phone, mariam.phone = "+381641234567", "+93701234567"
        jelena.phone_verified_at = mariam.phone_verified_at = clock.now() - timedelta(days=1)
        db.session.commit()
        token(booking, jelena, clock)
        return SimpleNamespace(booking=booking.id, jelena=jelena.id, mariam=mariam.id, pin=booking.dial_in_pin)


def rung_and_answered(app, browser, clock, call, who: str) -> tuple:
    with app.test_request_context():
        user_id = getattr(call, who)
        dialing = request_dial_out(call.booking, Participant.user(user_id), clock.now(), phone_setup())
    root = twiml(post(browser, f"/twilio/voice/{dialing.leg_id}", answered()))
    (say,) = root.findall("./Say")
    assert root.find("./Connect/Stream") is not None  # and then the call
    return say.get("language"), say.get("voice"), say.text


def choose(app, user_id: int, locale: str | None) -> None:
    with app.app_context():
        db.session.get(User, user_id).locale = locale
        db.session.commit()


def test_a_turkish_interpreter_hears_turkish(app, browser, clock, call):
    choose(app, call.mariam, "tr")
    language, voice, text = rung_and_answered(app, browser, clock, call, "mariam")
    assert (language, voice) == ("tr-TR", "Google.tr-TR-Standard-A")
    assert text == said("tr", JOINING) and text != JOINING


def test_a_serbian_caseworker_hears_serbian_from_her_offices_language(app, browser, clock, call):
    language, voice, text = rung_and_answered(app, browser, clock, call, "jelena")
    assert (language, voice) == ("sr-RS", "Google.sr-RS-Standard-A")
    assert text == said("sr_Cyrl", JOINING)


def test_serbian_in_latin_script_is_spoken_from_the_same_words(app, browser, clock, call):
    choose(app, call.jelena, "sr_Latn")
    language, _voice, text = rung_and_answered(app, browser, clock, call, "jelena")
    assert language == "sr-RS" and text == said("sr_Cyrl", JOINING)


def test_a_pashto_reader_hears_english_as_no_voice_speaks_pashto(app, browser, clock, call):
    choose(app, call.mariam, "ps")
    language, voice, text = rung_and_answered(app, browser, clock, call, "mariam")
    assert (language, voice, text) == ("en-GB", None, JOINING)


def test_the_dial_in_line_speaks_the_language_of_the_callers_account_or_number(app, browser, clock, call):
    choose(app, call.mariam, "tr")
    root = twiml(post(browser, "/twilio/incoming", {"AccountSid": TEST_ACCOUNT_SID, "From": "+93701234567",
                                                    "To": DIAL_IN}))
    say = root.find("./Gather/Say")
    assert say.get("language") == "tr-TR" and say.text.startswith(said("tr", WELCOME))
    stranger = {"AccountSid": TEST_ACCOUNT_SID, "From": "+381601112223", "To": DIAL_IN}  # a Serbian number
    say = twiml(post(browser, "/twilio/incoming", stranger)).find("./Gather/Say")
    assert say.get("language") == "sr-RS" and say.text.startswith(said("sr_Cyrl", WELCOME))
    joined = twiml(post(browser, "/twilio/incoming/pin", incoming(call.pin, caller="+381601112223")))
    assert joined.find("./Say").text == said("sr_Cyrl", JOINING)


@pytest.mark.parametrize("locale", ["sq", "bs", "mk", "fa", "fa_AF", "ps"])
def test_the_languages_no_voice_speaks_fall_back_to_english(locale):
    assert spoken_voice(locale).falls_back and spoken_voice(locale).language == "en-GB"
    assert locale not in SPOKEN_VOICES
