"""Where participants join a session's call. The links in invitations and reminders point here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

from rris.context import current_clock
from rris.domain.call_tickets import valid_span
from rris.models import Booking
from rris.queries.scoping import get_visible, visible_bookings
from rris.web.authentication import current_actor

bp = Blueprint("calls", __name__, url_prefix="/calls")

@bp.get("/<int:booking_id>")
@login_required
def join(booking_id: int) -> Any:
    booking = get_visible(visible_bookings(current_actor()), Booking, booking_id)
    now = current_clock().now()
    opens_at, _closes = valid_span(booking.starts_at, booking.ends_at)
    return render_template(
        "calls/join.html",
        booking=booking,
        opens_at=opens_at,
        is_open=opens_at <= now < booking.ends_at,
        is_over=now >= booking.ends_at,
    )
