"""The officer's "interpreter now": the request form, the answer when nobody suitable is reachable,
and the page that follows a request in its queue until an interpreter answers.

The status page is live through the signalling service (static/js/now-status.js: status frames);
without JavaScript it reloads itself. An answered request goes to the call page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rris.access.domain.permissions import Capability
from rris.bookings.services.applicant_keys import key_ring
from rris.bookings.web.bookings import fill_booking_choices
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import ConfirmForm, show_errors
from rris.common.web.request_shapes import form_values
from rris.context import current_clock, current_settings
from rris.enums import SessionKind
from rris.ondemand.domain.states import OPEN_STATES, Answer
from rris.ondemand.services.live import call_statuses
from rris.ondemand.services.ondemand_requests import OnDemandRequest
from rris.ondemand.services.requests import NowAnswer, abandon, request_now, visible_call
from rris.ondemand.web import available
from rris.ondemand.web.live_pages import current_policy, live_config, live_page, officer_ticket, ticket_answer
from rris.ondemand.web.ondemand_forms import CARRIED_FIELDS, NowForm
from rris.ondemand.web.wording import now_strings, status_sentences

bp = Blueprint("now", __name__, url_prefix="/now")
bp.register_blueprint(available.bp)  # /now/available, endpoints now.available.*

# Seconds between reloads of the status page in a browser without JavaScript.
NO_SCRIPT_REFRESH_SECONDS = 5


@bp.route("", methods=["GET", "POST"])
@require(Capability.BOOK_INTERPRETERS)
def ask() -> Any:
    """The form; posted, the answer: ringing or queued (the status page), or nobody suitable reachable."""
    form = NowForm()  # echoes what was typed (CSRFProtect checked the token); the shape judges it
    fill_booking_choices(form)
    if request.method == "GET":
        kind = form["session_kind"]  # by name: the class holds the booking form's unbound field
        kind.data = kind.data or SessionKind.RECEPTION.value
        return render_template("ondemand/ask.html", form=form)
    answer = _ask(form)
    if answer is None:
        return render_template("ondemand/ask.html", form=form), 422
    if answer.answer is Answer.NONE_AVAILABLE:
        return _none_available(form, answer)
    return redirect(url_for("now.status", call_id=answer.call_id))


def _ask(form: NowForm) -> NowAnswer | None:
    """The answer to the posted request, or None with each refusal shown next to its field."""
    try:
        wanted = form_values(OnDemandRequest, request.form)
        keys = key_ring(current_settings())
        return request_now(wanted.wanted(), current_actor(), current_clock().now(), current_policy(), keys, wanted.wait)
    except InvalidInput as problem:
        show_errors(form, problem)
        return None


def _none_available(form: NowForm, answer: NowAnswer) -> Any:
    """Nobody suitable is reachable: wait for one (the same request, queued) or book instead."""
    carried = [(name, value) for name in CARRIED_FIELDS for value in request.form.getlist(name) if value]
    return render_template(
        "ondemand/none_available.html",
        form=form,
        carried=carried,
        gender_required=answer.gender_required,
        phone_after_seconds=answer.phone_after_seconds,
        required_gender=_gender_label(form) if answer.gender_required else None,
        identifier_given=bool(request.form.get("applicant_identifier", "").strip()),
        book_url=url_for("bookings.new") + "?" + urlencode(carried),
    )


def _gender_label(form: NowForm) -> str | None:
    gender = form["gender"]
    return dict(gender.choices).get(gender.data)


@bp.get("/requests/<id:call_id>")
@require(Capability.BOOK_INTERPRETERS)
def status(call_id: int) -> Any:
    """Where the request stands, live; the call page once an interpreter answered."""
    call = visible_call(call_id, current_actor(), current_clock().now())
    standing = call_statuses([call.id], current_policy())[call.id]  # what the live status frames say
    if standing.call_url is not None:
        return redirect(standing.call_url)
    live = standing.state in OPEN_STATES
    config = None
    if live:
        config = live_config(
            officer_ticket(current_user.id, call.id),
            url_for("now.ticket", call_id=call.id),
            status_url=url_for("api.now_request", call_id=call.id),
        )
    page = render_template(
        "ondemand/status.html",
        call=call,
        booking=call.booking,
        sentences=status_sentences(standing),
        live=live,
        config=config,
        refresh_seconds=NO_SCRIPT_REFRESH_SECONDS,
        script_strings=now_strings(),
    )
    return live_page(page)


@bp.get("/requests/<id:call_id>/ticket")
@require(Capability.BOOK_INTERPRETERS)
def ticket(call_id: int) -> Any:
    """A fresh ticket for the status page's live connection (after it dropped)."""
    call = visible_call(call_id, current_actor(), current_clock().now())
    return ticket_answer(officer_ticket(current_user.id, call.id))


@bp.post("/requests/<id:call_id>/abandon")
@require(Capability.BOOK_INTERPRETERS)
def give_up(call_id: int) -> Any:
    """The officer gives up waiting: recorded as abandoned, the rings stop."""
    if ConfirmForm().validate_on_submit():
        try:
            abandon(call_id, current_actor(), current_clock().now(), current_policy())
        except Conflict as too_late:
            flash(str(too_late), "error")
        else:
            flash(_("You gave up waiting. The request is recorded as abandoned; nobody is rung for it."), "info")
    return redirect(url_for("now.status", call_id=call_id))
