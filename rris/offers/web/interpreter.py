"""The interpreter's pages: offers, upcoming jobs, weekly availability and time off.

Every time is shown in the interpreter's own zone with the zone named, and the department's
local time beside it; the presenters at the end of this module do the zone work for templates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rris.access.domain.case_access import Disclosure
from rris.access.queries.scoping import disclosure_of
from rris.bookings.models.bookings import Assignment, Booking, Offer
from rris.calls.queries.calls import attendance_report
from rris.calls.services.call_access import JOINABLE_STATES, dial_in_for
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.web.authentication import current_actor
from rris.common.web.extensions import login_manager
from rris.common.web.forms import run_form, show_errors
from rris.common.web.presenting import duration, list_time
from rris.context import current_clock, current_settings
from rris.matching.domain.clashes import busy_interval, jobs_clash
from rris.matching.domain.snapshots import Interval
from rris.offers.domain.waves import WavePolicy
from rris.offers.queries.jobs import open_offers, past_jobs, upcoming_jobs
from rris.offers.services.offer_requests import DECLINE_REASON_MAX_CHARS
from rris.offers.services.offers import accept_offer, decline_offer
from rris.offers.web.interpreter_forms import DeclineOfferForm, TimeOffForm, WeeklyAvailabilityForm
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.services.availability import (
    Removal,
    add_time_off,
    jobs_at_odds,
    remove_time_off,
    replace_weekly_windows,
    upcoming_time_off,
    window_problems,
)

bp = Blueprint("interpreter", __name__)

PAST_JOBS_SHOWN = 10
F = TypeVar("F", bound=Callable[..., Any])


def interpreter_only(view: F) -> F:
    """View decorator: sign-in required, and 403 for anyone without an interpreter profile."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_actor().interpreter_id is None:
            abort(403)
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def _profile() -> InterpreterProfile:
    return current_user.interpreter_profile


# Offers


@bp.get("/offers")
@interpreter_only
def offers(decline_form: DeclineOfferForm | None = None, declining: int | None = None, status: int = 200) -> Any:
    profile, now = _profile(), current_clock().now()
    listed = open_offers(profile.id, now)
    return render_template(
        "interpreter/offers.html",
        profile=profile,
        offers=listed,
        disclosures=_disclosures([offer.booking for offer in listed], now),
        clashes=_clashes(listed, upcoming_jobs(profile.id, now), profile.rest_gap_minutes),
        decline_form=decline_form,
        declining=declining,
        fresh_decline=DeclineOfferForm(formdata=None),
        decline_reason_max_chars=DECLINE_REASON_MAX_CHARS,
    ), status


@bp.post("/offers/<id:offer_id>/accept")
@interpreter_only
def accept(offer_id: int) -> Any:
    try:
        booking = accept_offer(offer_id, _profile(), current_clock().now())
    except Conflict as problem:
        flash(str(problem), "error")
        return redirect(url_for(".offers"))
    flash(_("The job is yours (%(code)s). You find it under your jobs.", code=booking.code), "success")
    return redirect(url_for(".jobs"))


@bp.post("/offers/<id:offer_id>/decline")
@interpreter_only
def decline(offer_id: int) -> Any:
    form = DeclineOfferForm()
    waves = WavePolicy.from_settings(current_settings())
    try:
        declined = run_form(
            form, lambda: decline_offer(offer_id, _profile(), form.reason.data, current_clock().now(), waves)
        )
    except Conflict as problem:
        flash(str(problem), "error")
        return redirect(url_for(".offers"))
    if declined:
        flash(_("You declined the job. Thank you for saying why."), "success")
        return redirect(url_for(".offers"))
    if offer_id not in {offer.id for offer in open_offers(_profile().id, current_clock().now())}:
        flash(_("That offer is no longer open."), "error")
        return redirect(url_for(".offers"))
    return offers(decline_form=form, declining=offer_id, status=422)


def _clashes(offers: list[Offer], jobs: list[Assignment], rest_gap_minutes: int) -> dict[int, str]:
    """Offers that clash with a confirmed job (rest gap included), with that job's booking code.

    Accepting one would be refused; the inbox says so before she tries.
    """
    found: dict[int, str] = {}
    for offer in offers:
        busy = busy_interval(Interval(offer.booking.starts_at, offer.booking.ends_at), rest_gap_minutes)
        for job in jobs:
            if jobs_clash(busy, Interval(job.busy_from, job.busy_until)):
                found[offer.id] = job.booking.code
                break
    return found


# Jobs


@bp.get("/jobs")
@interpreter_only
def jobs() -> Any:
    profile, now = _profile(), current_clock().now()
    upcoming, dial_in_number = upcoming_jobs(profile.id, now), current_settings().dial_in_number
    return render_template(
        "interpreter/jobs.html",
        profile=profile,
        upcoming=upcoming,
        disclosures=_disclosures([item.booking for item in upcoming], now),
        dial_in={item.id: dial_in_for(item.booking, now, dial_in_number) for item in upcoming},
        at_odds={item.assignment.id: item for item in jobs_at_odds(profile.id, now, upcoming)},
        past=past_jobs(profile.id, now, PAST_JOBS_SHOWN),
    )


def interpreter_booking_page(booking: Booking, shown: Disclosure) -> str:
    """A booking's page as an interpreter sees it now: the facts, the case details while the
    job is theirs, its call while it is ahead, its records once it took place."""
    profile, now = _profile(), current_clock().now()
    return render_template(
        "interpreter/booking.html",
        booking=booking,
        leg=_leg_of(booking, profile.id),
        profile=profile,
        shown=shown,
        joinable=shown.job_is_theirs and booking.state in JOINABLE_STATES and now < booking.ends_at,
        call=attendance_report(booking.id) if shown.job_is_theirs else None,
    )


def _leg_of(booking: Booking, interpreter_id: int) -> int:
    """The leg the interpreter holds or is offered (1 unless relayed)."""
    for assignment in booking.active_assignments:
        if assignment.interpreter_id == interpreter_id:
            return assignment.leg
    offered = [offer for offer in booking.offers if offer.interpreter_id == interpreter_id]
    return offered[-1].leg if offered else 1


def _disclosures(bookings: list[Booking], now: datetime) -> dict[int, Disclosure]:
    """What of each booking the signed-in interpreter may see now, by booking id."""
    actor, span = current_actor(), current_settings().case_details_span
    return {booking.id: disclosure_of(booking, actor, now, span) for booking in bookings}


# Availability and time off


@bp.get("/availability")
@interpreter_only
def availability(
    week_form: WeeklyAvailabilityForm | None = None, time_off_form: TimeOffForm | None = None, status: int = 200
) -> Any:
    profile, now = _profile(), current_clock().now()
    return render_template(
        "interpreter/availability.html",
        profile=profile,
        week_form=week_form or WeeklyAvailabilityForm.for_windows(profile.availability),
        time_off_form=time_off_form or TimeOffForm(formdata=None),
        time_off=upcoming_time_off(profile.id, now),
        at_odds=jobs_at_odds(profile.id, now),
        now=now,
    ), status


@bp.post("/availability")
@interpreter_only
def save_week() -> Any:
    form = WeeklyAvailabilityForm()
    if form.validate_on_submit():
        try:
            replace_weekly_windows(_profile().id, current_actor(), form.windows(), current_clock().now())
        except InvalidInput as problem:
            show_errors(form, problem)
        else:
            flash(_("Your weekly availability is saved. New offers follow it from now on."), "success")
            return redirect(url_for(".availability"))
    elif problems := window_problems(form.readable_windows()):
        show_errors(form, InvalidInput(problems))  # every bad day at once, not only the unreadable ones
    return availability(week_form=form, status=422)


@bp.post("/availability/time-off")
@interpreter_only
def add_away() -> Any:
    form, actor, now = TimeOffForm(), current_actor(), current_clock().now()
    if run_form(
        form,
        lambda: add_time_off(_profile().id, actor, form.starts_local.data, form.ends_local.data, form.reason.data, now),
    ):
        flash(_("Your time off is saved. You get no offers during it."), "success")
        return redirect(url_for(".availability") + "#time-off")
    return availability(time_off_form=form, status=422)


@bp.post("/availability/time-off/<id:time_off_id>/remove")
@interpreter_only
def remove_away(time_off_id: int) -> Any:
    try:
        outcome = remove_time_off(time_off_id, current_actor(), current_clock().now())
    except InvalidInput as problem:
        for message in problem.errors.values():
            flash(message, "error")
    else:
        if outcome is Removal.ENDED_NOW:
            flash(_("Welcome back: your time off ends now."), "success")
        else:
            flash(_("The time off is removed."), "success")
    return redirect(url_for(".availability") + "#time-off")


# Presenters for these pages' templates


@bp.context_processor
def _presenters() -> dict[str, Any]:
    return {"answer_by": answer_by}


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    return {"open_offer_count": open_offer_count}


def open_offer_count() -> int:
    """How many offers wait for the signed-in interpreter's answer (0 for everyone else)."""
    if not current_user.is_authenticated or current_user.interpreter_profile is None:
        return 0
    return len(open_offers(current_user.interpreter_profile.id, current_clock().now()))


def answer_by(expires_at: datetime, zone_name: str) -> str:
    """When an offer lapses, in the interpreter's zone, and how long is left."""
    left = expires_at - current_clock().now()
    return _("%(when)s (%(duration)s left)", when=list_time(expires_at, zone_name), duration=duration(left))
