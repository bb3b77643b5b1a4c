"""The applicant's notice page: the text to show or read to the applicant, and "mark given"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.access.queries.scoping import get_visible, visible_bookings
from rris.bookings.domain.applicant_notice import may_be_given
from rris.bookings.models.bookings import Booking
from rris.bookings.services.applicant_notice import mark_notice_given, notice_for, readings, source_text
from rris.common.domain.errors import Conflict
from rris.common.services.wording import language_name
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import ConfirmForm
from rris.context import current_clock

# Nested in the bookings' blueprint (rris.bookings.web.bookings): its pages are the bookings' pages.
bp = Blueprint("applicant_notice", __name__)


@bp.get("/<id:booking_id>/notice")
@require(Capability.BOOK_INTERPRETERS)
def show(booking_id: int) -> Any:
    booking = get_visible(visible_bookings(current_actor(), current_clock().now()), Booking, booking_id)
    choice = notice_for(booking.applicant_language)
    officer_copy = source_text()
    return render_template(
        "bookings/notice.html",
        booking=booking,
        choice=choice,
        # Beside the applicant's text, unless it is word for word what the officer reads anyway.
        officer_copy=officer_copy if officer_copy != choice.notice.text else None,
        readings=readings(booking),
        can_mark=may_be_given(booking.state),
        form=ConfirmForm(),
    )


@bp.post("/<id:booking_id>/notice/given")
@require(Capability.BOOK_INTERPRETERS)
def mark_given(booking_id: int) -> Any:
    if ConfirmForm().validate_on_submit():
        try:
            given = mark_notice_given(booking_id, current_actor(), current_clock().now())
        except Conflict as problem:
            flash(str(problem), "error")
        else:
            language = language_name(given.event.note or "")
            if given.repeated:
                flash(_("Already recorded a moment ago: the notice given in %(language)s.", language=language), "info")
            else:
                flash(_("Recorded: the notice was given in %(language)s.", language=language), "success")
    return redirect(url_for(".show", booking_id=booking_id))
