"""Twilio's webhooks: the TwiML that bridges an answered phone into a call, call progress, the
dial-in line, and the on-call interpreter's prompt of the on-demand escalation.

No sign-in and no CSRF token: every request must carry a valid X-Twilio-Signature computed
over the public URL from the settings (Twilio signs the https:// address it called, which a
TLS proxy hides from us) and the form parameters. Anything else gets 403 and changes nothing.
Signatures carry no timestamp, so a replayed request validates; the services make each one a
no-op the second time.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, request
from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.context import current_clock, current_settings
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.services.phone_answers import (
    PhoneOutcome,
    closing_sentence,
    phone_keys,
    phone_offer,
    prompt_sentence,
)
from rris.phone.domain.spoken_languages import SpokenVoice
from rris.phone.services.dial_in import PIN_DIGITS, dial_in
from rris.phone.services.phone_callbacks import answer_call, record_status
from rris.phone.services.phone_guard import PhoneRefused, PhoneSetup
from rris.phone.services.phone_legs import STREAM_PATH, leg_ticket
from rris.phone.services.phone_voice import voice_for_caller, voice_for_leg

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
PIN_TIMEOUT_SECONDS = 10
KEY_TIMEOUT_SECONDS = 8  # after the prompt is said twice


@bp.before_request
def _verify_signature() -> Any:
    """403 unless Twilio signed exactly this URL and these parameters with our auth token."""
    settings = current_settings()
    signature = request.headers.get(SIGNATURE_HEADER, "")
    url = settings.public_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    if not settings.twilio_auth_token or not signature:
        log.warning(
            "Twilio webhook %s refused: %s",
            request.path,
            "no signature" if settings.twilio_auth_token else "no Twilio auth token configured",
        )
        return _forbidden()
    if not RequestValidator(settings.twilio_auth_token).validate(url, request.form, signature):
        log.warning("Twilio webhook %s refused: the signature does not match", request.path)
        return _forbidden()
    return None


@bp.post("/voice/<id:leg_id>")
def voice(leg_id: int) -> Any:
    """An outgoing call was answered: tell the person, in their language, that they are joining,
    and connect their audio to the signalling service's phone bridge."""
    call_sid, secret_key = request.form.get("CallSid", ""), current_settings().secret_key
    ticket = answer_call(leg_id, call_sid, current_clock().now(), secret_key)
    if ticket is None:
        return _forbidden()
    response, spoken = VoiceResponse(), voice_for_leg(leg_id)
    with force_locale(spoken.text_locale):
        _say(response, spoken, _("You are joining the call."))
    return _twiml(_stream(response, ticket))


@bp.post("/ondemand/<id:leg_id>")
def on_demand_offer(leg_id: int) -> Any:
    """An on-call interpreter picked up the escalation's call: in her language, press 1 to take
    it (a Pashto call for Serbia), or hear that someone else took it meanwhile."""
    offer = phone_offer(leg_id, request.form.get("CallSid", ""), current_clock().now())
    if offer is None:
        return _forbidden()
    response, spoken = VoiceResponse(), voice_for_leg(leg_id)
    with force_locale(spoken.text_locale):
        if offer.outcome is not PhoneOutcome.OFFER:
            return _twiml(_goodbye(response, spoken, closing_sentence(offer)))
        gather = response.gather(
            num_digits=1,
            action=current_settings().public_url + f"/twilio/ondemand/{leg_id}/keys",
            method="POST",
            timeout=KEY_TIMEOUT_SECONDS,
        )
        prompt = prompt_sentence(offer)
        _say(gather, spoken, prompt)
        _say(gather, spoken, prompt)  # said twice: she may have missed the start
        return _twiml(_goodbye(response, spoken, _("No key was pressed. Goodbye.")))


@bp.post("/ondemand/<id:leg_id>/keys")
def on_demand_keys(leg_id: int) -> Any:
    """She pressed a key: 1 bridges her phone into the officer's call; any other declines."""
    settings, form = current_settings(), request.form
    answer = phone_keys(
        leg_id,
        form.get("CallSid", ""),
        form.get("Digits"),
        current_clock().now(),
        OnDemandPolicy.from_settings(settings),
        settings.secret_key,
    )
    if answer is None:
        return _forbidden()
    response, spoken = VoiceResponse(), voice_for_leg(leg_id)
    with force_locale(spoken.text_locale):
        if answer.outcome is PhoneOutcome.JOINED and answer.ticket is not None:
            _say(response, spoken, _("You are joining the call."))
            return _twiml(_stream(response, answer.ticket))
        return _twiml(_goodbye(response, spoken, closing_sentence(answer)))


@bp.post("/status")
def status() -> Any:
    """Call progress: ringing, answered, completed, busy, no answer, failed; each recorded once."""
    record_status(request.form, current_clock().now(), current_settings().twilio_account_sid)
    return Response(status=204)


@bp.post("/incoming")
def incoming() -> Any:
    """A call to the dial-in number: ask for the booking's PIN, in the caller's language."""
    response, spoken = VoiceResponse(), voice_for_caller(request.form.get("From"))
    with force_locale(spoken.text_locale):
        if not current_settings().dial_in_number:
            _say(response, spoken, _("This number takes no calls. Goodbye."))
            response.hangup()
            return _twiml(response)
        return _twiml(_ask_for_pin(response, spoken, _("Welcome to RRIS.")))


@bp.post("/incoming/pin")
def incoming_pin() -> Any:
    """The caller typed a PIN: join that booking's call, ask again, or hang up."""
    response, settings = VoiceResponse(), current_settings()
    if not settings.dial_in_number:
        response.hangup()
        return _twiml(response)
    form, setup = request.form, PhoneSetup.from_settings(settings)
    spoken = voice_for_caller(form.get("From"))
    with force_locale(spoken.text_locale):  # a refusal is worded inside: in the caller's language too
        try:
            leg = dial_in(
                form.get("Digits", ""), form.get("From", ""), current_clock().now(), setup, form.get("CallSid")
            )
        except InvalidInput:
            return _twiml(_ask_for_pin(response, spoken, _("This PIN is not right.")))
        except TooManyAttempts:
            _say(response, spoken, _("Too many wrong PINs. Try again later. Goodbye."))
            response.hangup()
            return _twiml(response)
        except PhoneRefused as refused:
            _say(response, spoken, refused.message)
            response.hangup()
            return _twiml(response)
        _say(response, spoken, _("You are joining the call."))
    return _twiml(_stream(response, leg_ticket(leg, setup.secret_key)))


def _say(parent: Any, spoken: SpokenVoice, text: str) -> None:
    """<Say> `text` in the reader's spoken language, with the voice that speaks it (`SPOKEN_VOICES`)."""
    if spoken.voice is None:
        parent.say(text, language=spoken.language)
    else:
        parent.say(text, language=spoken.language, voice=spoken.voice)


def _goodbye(response: VoiceResponse, spoken: SpokenVoice, text: str) -> VoiceResponse:
    _say(response, spoken, text)
    response.hangup()
    return response


def _ask_for_pin(response: VoiceResponse, spoken: SpokenVoice, before: str) -> VoiceResponse:
    gather = response.gather(
        num_digits=PIN_DIGITS,
        action=current_settings().public_url + "/twilio/incoming/pin",
        method="POST",
        timeout=PIN_TIMEOUT_SECONDS,
    )
    _say(gather, spoken, before + " " + _("Enter the %(count)d-digit PIN of your session.", count=PIN_DIGITS))
    _say(response, spoken, _("No PIN was entered. Goodbye."))
    response.hangup()
    return response


def _stream(response: VoiceResponse, ticket: str) -> VoiceResponse:
    """<Connect><Stream>: the only bidirectional stream; the ticket travels as a Parameter."""
    connect = response.connect()
    stream = connect.stream(url=current_settings().signaling_public_url + STREAM_PATH)
    stream.parameter(name="ticket", value=ticket)
    return response


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _forbidden() -> Response:
    return Response("Forbidden\n", status=403, mimetype="text/plain")
