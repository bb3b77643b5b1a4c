"""An applicant's objection to an interpreter: kept for the case, and through the regional
applicant key for the applicant in every country."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import get_visible, visible_bookings
from rris.bookings.models.bookings import Booking, CaseObjection
from rris.bookings.services.booking_events import record_event
from rris.common.domain.errors import InvalidInput
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.matching.services.conflicts import request_sweep


def record_objection(booking_id: int, interpreter_id: int, actor: Actor, now: datetime) -> CaseObjection:
    """The applicant objects to an interpreter of this case: never offered for the case again,
    nor, when the booking carries the regional applicant key, for the applicant in any country.
    Confirmed jobs of that interpreter are checked again at once (a conflict sweep)."""
    booking = get_visible(visible_bookings(actor, now), Booking, booking_id)
    served = {assignment.interpreter_id for assignment in booking.assignments}
    if interpreter_id not in served:
        raise InvalidInput({"interpreter_id": _("Only an interpreter of this booking can be objected to here.")})
    begin_write()
    existing = db.session.scalar(
        select(CaseObjection).where(
            CaseObjection.country_id == booking.country_id,
            CaseObjection.case_reference == booking.case_reference,
            CaseObjection.interpreter_id == interpreter_id,
        )
    )
    if existing is not None:
        if existing.applicant_key is None and booking.applicant_key is not None:
            existing.applicant_key = booking.applicant_key
            existing.applicant_key_version = booking.applicant_key_version
            request_sweep(interpreter_id, "objection", now)
        db.session.commit()
        return existing
    objection = CaseObjection(
        country_id=booking.country_id,
        case_reference=booking.case_reference,
        applicant_key=booking.applicant_key,
        applicant_key_version=booking.applicant_key_version,
        interpreter_id=interpreter_id,
        recorded_at=now,
        recorded_by_id=actor.user_id,
    )
    db.session.add(objection)
    record_event(
        booking,
        "objection",
        now,
        actor.user_id,
        note=_(
            "The applicant objects to this interpreter for the case and, through the regional "
            "applicant key, in every country."
        )
        if booking.applicant_key
        else _("The applicant objects to this interpreter for the case."),
    )
    request_sweep(interpreter_id, "objection", now)
    db.session.commit()
    return objection
