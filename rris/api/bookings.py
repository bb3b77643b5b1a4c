"""API: bookings for case systems and coordinators, offers for interpreters."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from rris.access.domain.permissions import Capability, can
from rris.access.queries.scoping import get_visible, visible_bookings
from rris.access.services.audit import record_booking_read
from rris.api import bp
from rris.api.booking_json import (
    assessment_json,
    booking_input,
    booking_json,
    match_json,
    offer_json,
    remembered_body,
)
from rris.api.json_body import json_object, record_id, text
from rris.bookings.domain.booking_states import BookingAction
from rris.bookings.models.bookings import Booking
from rris.bookings.services import bookings as booking_service
from rris.bookings.services.booking_setup import BookingSetup
from rris.common.domain.errors import InvalidInput
from rris.common.services.idempotency import check_key, fingerprint
from rris.common.web.authentication import current_actor
from rris.context import current_clock, current_settings
from rris.extensions import db
from rris.matching.services.booking_matching import match_leg
from rris.matching.services.conflicts import reoffer_after_conflict
from rris.offers.domain.waves import WavePolicy
from rris.offers.queries.jobs import open_offers
from rris.offers.services.offers import accept_offer, decline_offer
from rris.pool.models.interpreters import InterpreterProfile

MAX_LISTED = 200


@bp.post("/bookings")
def create_booking() -> Any:
    payload = json_object()
    raw, setup = booking_input(payload), BookingSetup.from_settings(current_settings())
    key = request.headers.get("Idempotency-Key")
    idempotency = None
    if key is not None:
        remembered = fingerprint("POST", request.path, remembered_body(payload, setup.keys))
        idempotency = booking_service.Idempotency(check_key(key), remembered)
    booking, created = booking_service.request_booking(
        raw, current_user, current_actor(), current_clock().now(), setup, idempotency
    )
    response = jsonify(booking_json(booking, current_actor()))
    response.status_code = 201
    response.headers["Location"] = url_for("api.booking", booking_id=booking.id)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/bookings/preview")
def preview_booking() -> Any:
    raw = booking_input(json_object())
    keys = BookingSetup.from_settings(current_settings()).keys
    assessment = booking_service.preview_booking(raw, current_actor(), current_clock().now(), keys)
    zone = current_user.zone_name
    return jsonify(assessment_json(assessment, zone))


@bp.get("/bookings")
def bookings() -> Any:
    statement = visible_bookings(current_actor(), current_clock().now()).limit(MAX_LISTED)
    records = db.session.scalars(statement.options(selectinload(Booking.offers), selectinload(Booking.assignments)))
    return jsonify(items=[booking_json(record, current_actor()) for record in records])


@bp.get("/bookings/<id:booking_id>")
def booking(booking_id: int) -> Any:
    record = get_visible(visible_bookings(current_actor(), current_clock().now()), Booking, booking_id)
    record_booking_read(record.id, current_actor(), "api", current_clock().now())
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/cancel")
def cancel(booking_id: int) -> Any:
    payload = json_object()
    record = booking_service.cancel_booking(booking_id, current_actor(), text(payload, "reason"), current_clock().now())
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/reoffer")
def reoffer(booking_id: int) -> Any:
    waves = WavePolicy.from_settings(current_settings())
    record = reoffer_after_conflict(booking_id, current_actor(), current_clock().now(), waves)
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/reschedule")
def reschedule(booking_id: int) -> Any:
    payload = json_object()
    duration = payload.get("duration_minutes")
    occurrence = payload.get("start_occurrence")
    if duration is not None and type(duration) is not int:
        raise InvalidInput({"duration_minutes": _("Give a whole number.")})
    if occurrence not in (None, 0, 1):
        raise InvalidInput({"start_occurrence": _("Give 0 (the first) or 1 (the second).")})
    setup = BookingSetup.from_settings(current_settings())
    record = booking_service.reschedule_booking(
        booking_id, current_actor(), text(payload, "start_local"), duration, current_clock().now(), setup, occurrence
    )
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/outcome")
def outcome(booking_id: int) -> Any:
    payload = json_object()
    try:
        action = BookingAction(text(payload, "outcome"))
    except ValueError:
        raise InvalidInput(
            {
                "outcome": _(
                    "Choose one of: %(allowed)s.",
                    allowed=", ".join(sorted(item.value for item in booking_service.OUTCOME_ACTIONS)),
                )
            }
        ) from None
    record = booking_service.record_outcome(
        booking_id, current_actor(), action, current_clock().now(), text(payload, "note")
    )
    return jsonify(booking_json(record, current_actor()))


@bp.get("/bookings/<id:booking_id>/candidates")
def candidates(booking_id: int) -> Any:
    if not can(current_actor(), Capability.MANAGE_POOL):
        abort(403)
    record = get_visible(visible_bookings(current_actor(), current_clock().now()), Booking, booking_id)
    legs = {str(number): number for number in range(1, record.leg_count + 1)}
    leg = legs.get(request.args.get("leg", "1"))
    if leg is None:  # also for what is not a number at all, rather than falling back to leg 1
        raise InvalidInput({"leg": _("This booking has no such leg.")})
    everyone = list(db.session.scalars(db.select(InterpreterProfile.id)))
    return jsonify(match_json(match_leg(record, leg, current_clock().now(), interpreter_ids=everyone)))


@bp.post("/bookings/<id:booking_id>/assign")
def assign(booking_id: int) -> Any:
    payload = json_object()
    interpreter_id = record_id(payload, "interpreter_id", _("Give the interpreter's id."))
    leg = payload.get("leg", 1)
    if type(leg) is not int:
        raise InvalidInput({"leg": _("Give 1, or 2 for the second leg of a relay.")})
    record = booking_service.assign_by_hand(
        booking_id, interpreter_id, current_actor(), current_clock().now(), leg, despite=payload.get("despite") is True
    )
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/objections")
def object_to(booking_id: int) -> Any:
    payload = json_object()
    interpreter_id = record_id(payload, "interpreter_id", _("Give the interpreter's id."))
    booking_service.record_objection(booking_id, interpreter_id, current_actor(), current_clock().now())
    return jsonify(status="recorded"), 201


def _interpreter() -> InterpreterProfile:
    profile = current_user.interpreter_profile
    if profile is None:
        abort(403)
    return profile


@bp.get("/offers")
def offers() -> Any:
    return jsonify(items=[offer_json(offer) for offer in open_offers(_interpreter().id, current_clock().now())])


@bp.post("/offers/<id:offer_id>/accept")
def accept(offer_id: int) -> Any:
    record = accept_offer(offer_id, _interpreter(), current_clock().now())
    return jsonify(booking_json(record, current_actor()))


@bp.post("/offers/<id:offer_id>/decline")
def decline(offer_id: int) -> Any:
    payload = json_object()
    waves = WavePolicy.from_settings(current_settings())
    decline_offer(offer_id, _interpreter(), text(payload, "reason"), current_clock().now(), waves)
    return jsonify(status="declined")
