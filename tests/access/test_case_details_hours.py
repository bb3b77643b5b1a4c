"""How long after a session its interpreter still sees the case details: RRIS_CASE_DETAILS_HOURS.

Apart from the matrix of `test_case_data_access.py`, whose tests share one world per state: this
one builds its own booking and changes a setting."""

from __future__ import annotations

from datetime import timedelta

from rris.enums import BookingState
from tests import factories
from tests.access.test_case_data_access import CASE, END, MARIAM, NOTES, SPAN, START, _services
from tests.api.test_bookings_api import token_for
from tests.support.twilio_recorder import changed_settings


def test_a_longer_span_keeps_the_case_details_after_the_session(app, clock, browser):
    """RRIS_CASE_DETAILS_HOURS sets how long after the end the job's interpreter still sees them."""
    world_ = _confirmed_after_the_session(app, clock)
    with changed_settings(app, case_details_hours=3):
        body = app.test_client().get(f"/api/v1/bookings/{world_}", headers=token_for(app, MARIAM)).get_json()
        assert body["case_reference"] == CASE and body["notes"] == NOTES
    body = app.test_client().get(f"/api/v1/bookings/{world_}", headers=token_for(app, MARIAM)).get_json()
    assert body["case_reference"] is None and body["notes"] is None


def _confirmed_after_the_session(app, clock) -> int:
    clock.set(START - timedelta(days=2))
    with _services(app):
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
        mariam = factories.interpreter(email=MARIAM, pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        booking = factories.booking(
            department=jelena.department,
            starts_at=START,
            minutes=120,
            created_by=jelena,
            case_reference=CASE,
            notes=NOTES,
            state=BookingState.CONFIRMED,
        )
        factories.held(booking, mariam)
        booking_id = booking.id
    clock.set(END + SPAN + timedelta(minutes=30))
    return booking_id
