"""The simulated phone of a telephone escalation call, offline only (no Twilio account): the page
plays what Twilio would say to the on-call interpreter and offers her the keys. Its address
carries a token signed for the leg in place of Twilio's signature; pressing 1 takes the call
exactly as the real webhook does, then the simulated phone page plays her phone into the call."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import force_locale
from flask_wtf import FlaskForm

from rris.context import current_clock, current_settings
from rris.ondemand.domain.escalation import read_simulated_call
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.services.phone_answers import (
    PhoneOutcome,
    closing_sentence,
    prompt_sentence,
    simulated_keys,
    simulated_offer,
)
from rris.phone.services.phone_legs import SIMULATOR_PATH
from rris.phone.services.phone_voice import voice_for_leg

bp = Blueprint("simulated_call", __name__, url_prefix="/phone/simulated-call")


class KeysForm(FlaskForm):
    """The keypad: the key comes as the pressed button's value; the form carries the CSRF token."""


@bp.route("/<id:leg_id>/<token>", methods=["GET", "POST"])
def simulated_call(leg_id: int, token: str) -> Any:
    """GET: the prompt and the keys; POST: a key pressed (1 joins the call on the simulated phone)."""
    settings = current_settings()
    if settings.twilio_configured or not read_simulated_call(token, leg_id, settings.secret_key):
        abort(404)
    now, form = current_clock().now(), KeysForm()
    if form.validate_on_submit():
        policy = OnDemandPolicy.from_settings(settings)
        answer = simulated_keys(leg_id, request.form.get("key"), now, policy, settings.secret_key)
    else:
        answer = simulated_offer(leg_id, now)
    if answer is None:
        abort(404)
    if answer.outcome is PhoneOutcome.JOINED:
        return redirect(f"{SIMULATOR_PATH}/{leg_id}#{answer.ticket}")
    with force_locale(voice_for_leg(leg_id).text_locale):  # what her phone would say, as it would say it
        said = prompt_sentence(answer) if answer.outcome is PhoneOutcome.OFFER else closing_sentence(answer)
    response = render_template(
        "calls/simulated_escalation.html", said=said, form=form, offer=answer.outcome is PhoneOutcome.OFFER
    )
    return response, 200, {"Referrer-Policy": "no-referrer"}  # the token is in this page's address
