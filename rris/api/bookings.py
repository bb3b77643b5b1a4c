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
from rris.api.booking_json import assessment_json, booking_json, match_json, offer_json, remembered_body
from rris.bookings.domain.moves import MoveWhy
from rris.bookings.models.bookings import Booking
from rris.bookings.queries.booking_details import booking_with_details
from rris.bookings.services import bookings as booking_service
from rris.bookings.services.booking_requests import (
    Assignment,
    BookingRequest,
    Cancellation,
    CandidatesQuery,
    Objection,
    Outcome,
    Reschedule,
)
from rris.bookings.services.booking_setup import BookingSetup
from rris.bookings.services.objections import record_objection
from rris.common.domain.errors import InvalidInput
from rris.common.services.idempotency import check_key, fingerprint
from rris.common.web.authentication import current_actor
from rris.common.web.request_shapes import json_body, query_args
from rris.context import current_clock, current_settings
from rris.extensions import db
from rris.matching.services.booking_matching import match_leg
from rris.matching.services.conflicts import reoffer_after_conflict
from rris.offers.domain.waves import WavePolicy
from rris.offers.queries.jobs import open_offers
from rris.offers.services.offer_requests import Decline
from rris.offers.services.offers import accept_offer, decline_offer
from rris.pool.models.interpreters import InterpreterProfile

MAX_LISTED = 200


@bp.post("/bookings")
def create_booking() -> Any:
    wanted, setup = json_body(BookingRequest), BookingSetup.from_settings(current_settings())
    key = request.headers.get("Idempotency-Key")
    idempotency = None
    if key is not None:
        remembered = fingerprint("POST", request.path, remembered_body(request.get_json(), setup.keys))
        idempotency = booking_service.Idempotency(check_key(key), remembered)
    booking, created = booking_service.request_booking(
        wanted, current_user, current_actor(), current_clock().now(), setup, idempotency
    )
    response = jsonify(booking_json(booking_with_details(booking), current_actor()))
    response.status_code = 201
    response.headers["Location"] = url_for("api.booking", booking_id=booking.id)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/bookings/preview")
def preview_booking() -> Any:
    wanted, keys = json_body(BookingRequest), BookingSetup.from_settings(current_settings()).keys
    assessment = booking_service.preview_booking(wanted, current_actor(), current_clock().now(), keys)
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
    record_booking_read(record, current_actor(), "api", request.remote_addr, current_clock().now())
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/cancel")
def cancel(booking_id: int) -> Any:
    reason = json_body(Cancellation).reason
    record = booking_service.cancel_booking(booking_id, current_actor(), reason, current_clock().now())
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/reoffer")
def reoffer(booking_id: int) -> Any:
    waves = WavePolicy.from_settings(current_settings())
    record = reoffer_after_conflict(booking_id, current_actor(), current_clock().now(), waves)
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/reschedule")
def reschedule(booking_id: int) -> Any:
    moved = json_body(Reschedule)
    record = booking_service.reschedule_booking(
        booking_id,
        current_actor(),
        moved.start_local,
        moved.duration_minutes,
        current_clock().now(),
        BookingSetup.from_settings(current_settings()),
        moved.start_occurrence,
        MoveWhy(moved.reason, moved.reason_text),
    )
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/outcome")
def outcome(booking_id: int) -> Any:
    said = json_body(Outcome)
    record = booking_service.record_outcome(booking_id, current_actor(), said.outcome, current_clock().now(), said.note)
    return jsonify(booking_json(record, current_actor()))


@bp.get("/bookings/<id:booking_id>/candidates")
def candidates(booking_id: int) -> Any:
    if not can(current_actor(), Capability.MANAGE_POOL):
        abort(403)
    record = get_visible(visible_bookings(current_actor(), current_clock().now()), Booking, booking_id)
    leg = query_args(CandidatesQuery).leg
    if leg > record.leg_count:
        raise InvalidInput({"leg": _("This booking has no such leg.")})
    everyone = list(db.session.scalars(db.select(InterpreterProfile.id)))
    return jsonify(match_json(match_leg(record, leg, current_clock().now(), interpreter_ids=everyone)))


@bp.post("/bookings/<id:booking_id>/assign")
def assign(booking_id: int) -> Any:
    chosen = json_body(Assignment)
    record = booking_service.assign_by_hand(
        booking_id, chosen.interpreter_id, current_actor(), current_clock().now(), chosen.leg, despite=chosen.despite
    )
    return jsonify(booking_json(record, current_actor()))


@bp.post("/bookings/<id:booking_id>/objections")
def object_to(booking_id: int) -> Any:
    interpreter_id = json_body(Objection).interpreter_id
    record_objection(booking_id, interpreter_id, current_actor(), current_clock().now())
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
    return jsonify(booking_json(booking_with_details(record), current_actor()))


@bp.post("/offers/<id:offer_id>/decline")
def decline(offer_id: int) -> Any:
    reason = json_body(Decline).reason
    waves = WavePolicy.from_settings(current_settings())
    decline_offer(offer_id, _interpreter(), reason, current_clock().now(), waves)
    return jsonify(status="declined")
