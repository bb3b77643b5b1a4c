"""API: an interpreter now. Officers request, follow and give up; interpreters switch "available
now" and answer the rings on their page. The same use cases as the pages."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from rris.access.domain.permissions import Capability, can
from rris.api import bp
from rris.api.booking_json import remembered_body
from rris.api.serializers import instant
from rris.bookings.services.applicant_keys import key_ring
from rris.bookings.services.bookings import Idempotency
from rris.common.services.idempotency import check_key, fingerprint
from rris.common.web.authentication import current_actor
from rris.common.web.page_locale import page_locale
from rris.common.web.request_shapes import json_body
from rris.context import current_clock, current_settings
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.states import Answer
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.queries.interpreter_view import own_ring, presence_of
from rris.ondemand.services.answering import accept_ring, decline_ring
from rris.ondemand.services.live import call_statuses, interpreters_now, ring_summary
from rris.ondemand.services.ondemand_requests import Availability, OnDemandRequest
from rris.ondemand.services.presence import set_available
from rris.ondemand.services.requests import abandon, request_now, visible_call

_NOW = "/now"


def _policy() -> OnDemandPolicy:
    return OnDemandPolicy.from_settings(current_settings())


def _officer() -> None:
    if not can(current_actor(), Capability.BOOK_INTERPRETERS):
        abort(403)


def _interpreter_id() -> int:
    interpreter_id = current_actor().interpreter_id
    if interpreter_id is None:
        abort(403)
    return interpreter_id


def call_json(call: OnDemandCall) -> dict[str, Any]:
    """A request as its officer follows it: the fields of the live status frame, and its ids."""
    call_id, booking_id, requested_at = call.id, call.booking_id, call.requested_at
    status = call_statuses([call_id], _policy())[call_id]
    return {
        "id": call_id,
        "booking_id": booking_id,
        "state": status.state.value,
        "requested_at": instant(requested_at),
        "position": status.position,
        "expected_wait_seconds": status.expected_wait_seconds,
        "call_url": status.call_url,
    }


@bp.post(f"{_NOW}/requests")
def create_now_request() -> Any:
    _officer()
    wanted, keys = json_body(OnDemandRequest), key_ring(current_settings())
    key = request.headers.get("Idempotency-Key")
    idempotency = None
    if key is not None:
        remembered = fingerprint("POST", request.path, remembered_body(request.get_json(), keys))
        idempotency = Idempotency(check_key(key), remembered)
    now = current_clock().now()
    answer = request_now(wanted.wanted(), current_actor(), now, _policy(), keys, wanted.wait, idempotency)
    if answer.answer is Answer.NONE_AVAILABLE:
        detail = _("No interpreter who could take this request is available now. Send it again with wait set to "
                   "queue for one, or book a session instead.")  # fmt: skip
        if answer.phone_after_seconds is not None:
            detail += " " + ngettext(
                "If it waits and nobody has answered after %(num)d second, the interpreters on call who could "
                "take it are phoned.",
                "If it waits and nobody has answered after %(num)d seconds, the interpreters on call who could "
                "take it are phoned.",
                answer.phone_after_seconds,
            )
        if answer.gender_required:
            detail += " " + _("The required gender is never relaxed.")
        return jsonify(
            answer=Answer.NONE_AVAILABLE.value,
            gender_required=answer.gender_required,
            phone_after_seconds=answer.phone_after_seconds,
            detail=detail,
        )
    assert answer.call_id is not None
    call = visible_call(answer.call_id, current_actor(), now)
    response = jsonify(call_json(call))
    response.status_code = 201
    response.headers["Location"] = url_for("api.now_request", call_id=call.id)
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get(f"{_NOW}/requests/<id:call_id>")
def now_request(call_id: int) -> Any:
    _officer()
    return jsonify(call_json(visible_call(call_id, current_actor(), current_clock().now())))


@bp.post(f"{_NOW}/requests/<id:call_id>/abandon")
def abandon_now_request(call_id: int) -> Any:
    _officer()
    return jsonify(call_json(abandon(call_id, current_actor(), current_clock().now(), _policy())))


def _presence_json(interpreter_id: int) -> dict[str, Any]:
    presence = presence_of(interpreter_id, current_clock().now(), _policy())
    return {
        "available": presence.available,
        "reachable": presence.reachable,
        "heartbeat_seconds": current_settings().presence_heartbeat_seconds,
    }


@bp.get(f"{_NOW}/availability")
def availability() -> Any:
    return jsonify(_presence_json(_interpreter_id()))


@bp.post(f"{_NOW}/availability")
def switch_availability() -> Any:
    interpreter_id = _interpreter_id()
    wanted = json_body(Availability)
    set_available(interpreter_id, wanted.available, current_clock().now(), _policy())
    return jsonify(_presence_json(interpreter_id))


@bp.get(f"{_NOW}/rings")
def rings() -> Any:
    interpreter_id = _interpreter_id()
    ring = interpreters_now([interpreter_id], _policy())[interpreter_id].ring  # one at a time
    items = []
    if ring is not None:
        summary = ring_summary(ring.call_id, page_locale().identifier)
        items.append({"id": ring.ring_id, "call_id": ring.call_id, "until": instant(ring.until), "summary": summary})
    return jsonify(items=items)


@bp.post(f"{_NOW}/rings/<id:ring_id>/accept")
def accept_now_ring(ring_id: int) -> Any:
    own_ring(ring_id, _interpreter_id())
    call = accept_ring(ring_id, current_actor(), current_clock().now(), _policy())
    return jsonify(
        call_id=call.id, booking_id=call.booking_id, call_url=url_for("calls.join", booking_id=call.booking_id)
    )


@bp.post(f"{_NOW}/rings/<id:ring_id>/decline")
def decline_now_ring(ring_id: int) -> Any:
    own_ring(ring_id, _interpreter_id())
    decline_ring(ring_id, current_actor(), current_clock().now(), _policy())
    return jsonify(status="declined")
