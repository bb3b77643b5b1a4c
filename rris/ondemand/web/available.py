"""The interpreter's "Available now" page: a switch, and a page that stays open to be rung.

The page keeps a live connection to the signalling service (static/js/available-now.js): it beats
every `heartbeat_seconds`, which keeps her reachable, and rings (sound, notification, a panel with
Accept and Decline) when a request reaches her. Switching, accepting and declining are plain form
posts, so they work the same with or without the connection; accepting opens the call page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.web.authentication import current_actor
from rris.common.web.forms import ConfirmForm
from rris.common.web.page_locale import page_locale
from rris.common.web.presenting import viewer_zone
from rris.common.web.request_shapes import form_values
from rris.context import current_clock
from rris.offers.web.interpreter import interpreter_only
from rris.ondemand.queries.interpreter_view import own_ring, presence_of
from rris.ondemand.services.answering import accept_ring, decline_ring
from rris.ondemand.services.live import interpreters_now, ring_summary
from rris.ondemand.services.ondemand_requests import Availability
from rris.ondemand.services.presence import set_available
from rris.ondemand.web.live_pages import current_policy, interpreter_ticket, live_config, live_page, ticket_answer
from rris.ondemand.web.ondemand_forms import SwitchForm
from rris.ondemand.web.wording import available_strings

bp = Blueprint("available", __name__, url_prefix="/available")


def _interpreter_id() -> int:
    interpreter_id = current_actor().interpreter_id
    assert interpreter_id is not None  # interpreter_only let her in
    return interpreter_id


@bp.get("")
@interpreter_only
def page(status: int = 200) -> Any:
    """Her switch, whether she is reachable, and the ring on her page now if any."""
    interpreter_id, policy = _interpreter_id(), current_policy()
    presence = presence_of(interpreter_id, current_clock().now(), policy)
    ringing = interpreters_now([interpreter_id], policy)[interpreter_id].ring  # as the live frames say it
    summary, ring = None, None
    if ringing is not None:  # the ring frame the page would have had, had it been open already
        summary = ring_summary(ringing.call_id, page_locale().identifier)
        until = ringing.until.isoformat().replace("+00:00", "Z")
        ring = {"ring_id": ringing.ring_id, "call_id": ringing.call_id, "until": until, "summary": summary}
    config = live_config(
        interpreter_ticket(interpreter_id),
        url_for("now.available.ticket"),
        available=presence.available,
        rings_url=url_for("now.available.page") + "/rings/",  # + "<ring_id>/accept" or "/decline"
        ring=ring,
    )
    rendered = render_template(
        "ondemand/available.html",
        presence=presence,
        ringing=ringing,
        summary=summary,
        zone=viewer_zone(),
        config=config,
        script_strings=available_strings(),
    )
    response = live_page(rendered)
    response.status_code = status
    return response


@bp.post("")
@interpreter_only
def switch() -> Any:
    """Switch "available now" on or off."""
    form = SwitchForm()
    if not form.validate_on_submit():
        return redirect(url_for("now.available.page"))
    try:
        wanted = form_values(Availability, request.form)
    except InvalidInput as problem:
        flash(problem.errors.get("available", _("Choose whether you are available now.")), "error")
        return page(status=422)
    set_available(_interpreter_id(), wanted.available, current_clock().now(), current_policy())
    if wanted.available:
        flash(_("You are available now. Keep this page open: calls ring here."), "success")
    else:
        flash(_("You are no longer available now. No call rings for you."), "info")
    return redirect(url_for("now.available.page"))


@bp.get("/ticket")
@interpreter_only
def ticket() -> Any:
    """A fresh ticket for the page's live connection (after it dropped)."""
    return ticket_answer(interpreter_ticket(_interpreter_id()))


@bp.post("/rings/<id:ring_id>/accept")
@interpreter_only
def accept(ring_id: int) -> Any:
    """She takes the call: the call page; a clear message when it went to someone else."""
    own_ring(ring_id, _interpreter_id())
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("now.available.page"))
    try:
        call = accept_ring(ring_id, current_actor(), current_clock().now(), current_policy())
    except Conflict as gone:
        flash(str(gone), "error")
        return redirect(url_for("now.available.page"))
    return redirect(url_for("calls.join", booking_id=call.booking_id))


@bp.post("/rings/<id:ring_id>/decline")
@interpreter_only
def decline(ring_id: int) -> Any:
    """She lets this call go; she stays available for others."""
    own_ring(ring_id, _interpreter_id())
    if ConfirmForm().validate_on_submit():
        try:
            decline_ring(ring_id, current_actor(), current_clock().now(), current_policy())
        except Conflict as gone:
            flash(str(gone), "error")
        else:
            flash(_("You declined the call. You stay available for others."), "info")
    return redirect(url_for("now.available.page"))
