"""Booking pages for caseworkers, focal points and coordinators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from rris.access.domain.permissions import Capability, booking_actions, can
from rris.access.queries.scoping import disclosure_of, get_visible, visible_bookings, visible_departments
from rris.access.services.audit import record_booking_read
from rris.bookings.domain.booking_states import BookingAction
from rris.bookings.domain.moves import MoveWhy
from rris.bookings.domain.session_kinds import DEFAULT_DURATION_MINUTES
from rris.bookings.models.bookings import NOTES_MAX_CHARS, Booking
from rris.bookings.queries.booking_lists import LISTS, booking_list_page
from rris.bookings.services import bookings as booking_service
from rris.bookings.services.booking_input import repeated_hour_choices
from rris.bookings.services.booking_requests import BookingRequest, Reschedule
from rris.bookings.services.booking_setup import BookingSetup
from rris.bookings.services.objections import record_objection
from rris.bookings.web import applicant_notice
from rris.bookings.web.booking_fit import booking_fit
from rris.bookings.web.booking_forms import (
    AssignForm,
    BookingForm,
    CancelForm,
    GuestInviteForm,
    GuestWithdrawForm,
    ObjectionForm,
    OutcomeForm,
    ReofferForm,
    RescheduleForm,
)
from rris.calls.queries.calls import attendance_report
from rris.calls.services.call_access import JOINABLE_STATES, call_role_of, dial_in_for
from rris.calls.services.call_guests import MAX_GUESTS_PER_CALL, active_guests, guest_link, invite_guest, withdraw_guest
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.services.wording import label, language_name
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import run_form, show_errors
from rris.common.web.presenting import department_title
from rris.common.web.request_shapes import form_values
from rris.context import current_clock, current_settings
from rris.enums import CallRole, Gender, GenderRule, GuestKind, Modality, SessionKind, Specialisation
from rris.extensions import db
from rris.matching.services.conflicts import reoffer_after_conflict
from rris.matching.services.wording import reason_name
from rris.notifications.queries.notices import booking_messages, open_conflicts
from rris.offers.domain.waves import WavePolicy
from rris.offers.web.interpreter import interpreter_booking_page
from rris.pool.models.geography import Department
from rris.pool.queries.pool import dialects_by_language, interpreter_names, languages_in_pool

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
bp.register_blueprint(applicant_notice.bp)  # /bookings/<id>/notice, endpoints bookings.applicant_notice.*


@bp.get("")
@require(Capability.BOOK_INTERPRETERS)
def index() -> Any:
    which = request.args.get("show", "upcoming")
    if which not in LISTS:
        which = "upcoming"
    page = booking_list_page(current_actor(), which, current_clock().now(), request.args.get("page", type=int))
    return render_template("bookings/index.html", page=page, bookings=page.bookings, which=which, lists=LISTS)


@bp.route("/new", methods=["GET", "POST"])
@require(Capability.BOOK_INTERPRETERS)
def new() -> Any:
    # Renders the page and echoes what was typed; BookingRequest judges it. A GET may carry a first
    # draft in its query string ("Book instead" when nobody can interpret now): never an identifier.
    draft = request.args if request.method == "GET" and request.args else None
    form = BookingForm(formdata=draft) if draft else BookingForm()
    fill_booking_choices(form)
    booking = _book(form) if request.method == "POST" else None
    if booking is not None:
        flash(_outcome(booking), "success" if booking.state.value == "offered" else "info")
        return redirect(url_for("bookings.detail", booking_id=booking.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "bookings/new.html", form=form, durations=DEFAULT_DURATION_MINUTES, notes_max=NOTES_MAX_CHARS
    ), status


@bp.get("/<id:booking_id>")
@login_required
def detail(booking_id: int, forms: dict[str, Any] | None = None, status: int = 200) -> Any:
    actor, now = current_actor(), current_clock().now()
    booking = get_visible(visible_bookings(actor, now), Booking, booking_id)
    record_booking_read(booking, actor, "page", request.remote_addr, now)
    shown = disclosure_of(booking, actor, now, current_settings().case_details_span)
    if not shown.institutional:
        return interpreter_booking_page(booking, shown), status
    forms = forms or {}
    context: dict[str, Any] = {
        "booking": booking,
        "actions": {action.value for action in booking_actions(actor, booking.state)},
        "cancel_form": forms.get("cancel") or CancelForm(formdata=None),
        "reschedule_form": forms.get("reschedule") or RescheduleForm(formdata=None),
        "objection_form": ObjectionForm(formdata=None),
        "outcome_form": forms.get("outcome") or OutcomeForm(formdata=None),
        "reoffer_form": ReofferForm(formdata=None),
        "conflicts": open_conflicts(booking.id),
        "messages": booking_messages(booking.id),
        "call": attendance_report(booking.id),
        "video_call": _video_call_panel(booking, forms),
        "is_coordinator": can(actor, Capability.MANAGE_POOL),
        "now": now,
    }
    if context["is_coordinator"]:
        names = interpreter_names()
        legs = booking_fit(booking, now, names)
        assign_form = forms.get("assign") or AssignForm(formdata=None)
        ranked = [match.interpreter_id for fit in legs.values() for match in fit.matches]
        assign_form.interpreter_id.choices = [(i, names[i]) for i in dict.fromkeys(ranked + list(names))]
        assign_form.leg.choices = [(leg, str(leg)) for leg in legs]
        context.update(legs=legs, interpreter_names=names, assign_form=assign_form, reason_name=reason_name)
    return render_template("bookings/detail.html", **context), status


def _video_call_panel(booking: Booking, forms: dict[str, Any]) -> dict[str, Any] | None:
    """For the department's officers while the session is ahead: join, and the guests invited."""
    now = current_clock().now()
    if call_role_of(booking, current_user) is not CallRole.OFFICER:
        return None
    if booking.state not in JOINABLE_STATES or now >= booking.ends_at:
        return None
    guests = active_guests(booking.id)
    return {
        "guests": guests,
        "invite_form": forms.get("guest") or GuestInviteForm(formdata=None),
        "withdraw_form": GuestWithdrawForm(formdata=None),
        "new_link": forms.get("guest_link"),
        "room_left": len(guests) < MAX_GUESTS_PER_CALL,
        "dial_in": dial_in_for(booking, now, current_settings().dial_in_number),
    }


@bp.post("/<id:booking_id>/guests")
@login_required
def invite_call_guest(booking_id: int) -> Any:
    form, actor, now = GuestInviteForm(), current_actor(), current_clock().now()
    if invited := run_form(
        form,
        lambda: invite_guest(booking_id, actor, current_user, GuestKind(form.kind.data), form.display_name.data, now),
    ):
        _guest, secret = invited.result
        link = guest_link(secret, current_settings().public_url)
        return detail(booking_id, forms={"guest_link": link}, status=201)
    return detail(booking_id, forms={"guest": form}, status=422)


@bp.post("/<id:booking_id>/guests/<id:guest_id>/withdraw")
@login_required
def withdraw_call_guest(booking_id: int, guest_id: int) -> Any:
    if GuestWithdrawForm().validate_on_submit():
        withdraw_guest(booking_id, guest_id, current_actor(), current_user, current_clock().now())
        flash(_("The invitation is withdrawn; its link no longer lets anyone in."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking_id))


@bp.post("/<id:booking_id>/cancel")
@require(Capability.BOOK_INTERPRETERS)
def cancel(booking_id: int) -> Any:
    form, actor, now = CancelForm(), current_actor(), current_clock().now()
    if run_form(form, lambda: booking_service.cancel_booking(booking_id, actor, form.reason.data, now)):
        flash(_("The booking is cancelled; the interpreters are told."), "success")
        return redirect(url_for("bookings.detail", booking_id=booking_id))
    return detail(booking_id, forms={"cancel": form}, status=422)


@bp.post("/<id:booking_id>/reschedule")
@require(Capability.BOOK_INTERPRETERS)
def reschedule(booking_id: int) -> Any:
    form = RescheduleForm()  # echoes what was typed; Reschedule judges it (CSRFProtect checked the token)
    try:
        moved = form_values(Reschedule, request.form)
        booking_service.reschedule_booking(
            booking_id,
            current_actor(),
            moved.start_local,
            moved.duration_minutes,
            current_clock().now(),
            BookingSetup.from_settings(current_settings()),
            why=MoveWhy(moved.reason, moved.reason_text),
        )
    except InvalidInput as problem:
        show_errors(form, problem)
    else:
        flash(_("The booking is moved; interpreters are being asked again, the previous one first."), "success")
        return redirect(url_for("bookings.detail", booking_id=booking_id))
    return detail(booking_id, forms={"reschedule": form}, status=422)


@bp.post("/<id:booking_id>/assign")
@require(Capability.MANAGE_POOL)
def assign(booking_id: int) -> Any:
    form = AssignForm()
    form.interpreter_id.choices = [(form.interpreter_id.data, "")] if form.interpreter_id.data else []
    form.leg.choices = [(1, "1"), (2, "2")]
    actor, now = current_actor(), current_clock().now()
    try:
        assigned = run_form(
            form,
            lambda: booking_service.assign_by_hand(
                booking_id, form.interpreter_id.data, actor, now, form.leg.data, despite=form.despite.data
            ),
        )
    except Conflict as clash:
        form.interpreter_id.errors = [str(clash)]
        return detail(booking_id, forms={"assign": form}, status=409)
    if assigned:
        flash(_("Assigned. The booking is confirmed for that leg."), "success")
        return redirect(url_for("bookings.detail", booking_id=booking_id))
    return detail(booking_id, forms={"assign": form}, status=422)


@bp.post("/<id:booking_id>/outcome")
@require(Capability.BOOK_INTERPRETERS)
def outcome(booking_id: int) -> Any:
    form = OutcomeForm()
    try:
        action = BookingAction(request.form.get("outcome", ""))
    except ValueError:
        action = None
    if action is not None and form.validate_on_submit():
        try:
            booking_service.record_outcome(booking_id, current_actor(), action, current_clock().now(), form.note.data)
        except InvalidInput as problem:
            show_errors(form, problem)
            return detail(booking_id, forms={"outcome": form}, status=422)
        except Conflict as problem:
            flash(str(problem), "error")
        else:
            flash(_("The outcome is recorded."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking_id))


@bp.post("/<id:booking_id>/objection")
@require(Capability.BOOK_INTERPRETERS)
def objection(booking_id: int) -> Any:
    form = ObjectionForm()
    if form.validate_on_submit():
        objection = record_objection(booking_id, form.interpreter_id.data, current_actor(), current_clock().now())
        if objection.applicant_key:
            flash(_("Recorded: this interpreter will not be offered this applicant again, in any country."), "success")
        else:
            flash(_("Recorded: this interpreter will not be offered this case again."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking_id))


@bp.post("/<id:booking_id>/reoffer")
@require(Capability.BOOK_INTERPRETERS)
def reoffer(booking_id: int) -> Any:
    if ReofferForm().validate_on_submit():
        waves = WavePolicy.from_settings(current_settings())
        reoffer_after_conflict(booking_id, current_actor(), current_clock().now(), waves)
        flash(_("The interpreter is released and the job is offered to others."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking_id))


def fill_booking_choices(form: BookingForm) -> None:
    """The choices of the booking form's fields (and of a form that reuses them), for the signed-in person."""
    actor = current_actor()
    departments = db.session.scalars(visible_departments(actor).where(Department.active.is_(True))).all()
    form.department_id.choices = [(department.id, department_title(department)) for department in departments]
    if request.method == "GET" and actor.department_id and form.department_id.data is None:
        form.department_id.data = actor.department_id
    codes = languages_in_pool()
    choices = sorted(((code, f"{language_name(code)} ({code})") for code in codes), key=lambda item: item[1])
    form.applicant_language.choices = [("", _("Choose…")), *choices]
    form.officer_language.choices = [("", _("Choose…")), *choices]
    if request.method == "GET" and not form.officer_language.data:
        home = db.session.get(Department, actor.department_id) if actor.department_id else None
        official = home.country.official_languages if home else []
        form.officer_language.data = official[0].code if official else "eng"
    dialects = dialects_by_language(codes)
    form.dialect.choices = [("", _("Any"))] + [
        (name, f"{language_name(code)}: {name}") for code in sorted(dialects) for name in dialects[code]
    ]
    form.session_kind.choices = [(kind.value, label(kind)) for kind in SessionKind]
    form.modality.choices = [(item.value, label(item)) for item in Modality]
    form.gender_rule.choices = [(item.value, label(item)) for item in GenderRule]
    form.gender.choices = [("", "—")] + [(item.value, label(item)) for item in Gender]
    form.specialisations.choices = [(item.value, label(item)) for item in Specialisation]


def _book(form: BookingForm) -> Booking | None:
    """The booking the form asks for, or None with each refusal shown next to its field."""
    try:
        wanted = form_values(BookingRequest, request.form)
    except InvalidInput as problem:
        show_errors(form, problem)
        return None
    try:
        setup = BookingSetup.from_settings(current_settings())
        return booking_service.request_booking(wanted, current_user, current_actor(), current_clock().now(), setup)[0]
    except InvalidInput as problem:
        show_errors(form, problem)
        if "start_occurrence" in problem.errors:
            _name_the_occurrences(form, wanted)
        return None


def _name_the_occurrences(form: BookingForm, wanted: BookingRequest) -> None:
    """Label the two readings of a repeated hour with the time asked for, in its department's zone."""
    department_id = wanted.department_id or current_actor().department_id
    department = db.session.get(Department, department_id) if department_id else None
    if department is not None:
        first, second = repeated_hour_choices(wanted.start_local, department.timezone)
        form.start_occurrence.choices = [("0", first), ("1", second)]


def _outcome(booking: Booking) -> str:
    if booking.state.value == "unfilled":
        return _("Booked, but no interpreter fits this time. Coordinators are alerted; consider another time.")
    count = sum(1 for offer in booking.offers if offer.state.value == "pending")
    if booking.relay:
        return ngettext(
            "No one interprets this pair directly: RRIS books a relay through English, two interpreters. "
            "%(num)d offer sent.",
            "No one interprets this pair directly: RRIS books a relay through English, two interpreters. "
            "%(num)d offers sent.",
            count,
        )
    return ngettext(
        "Booked. %(num)d interpreter has been asked; the first to accept gets the job.",
        "Booked. %(num)d interpreters have been asked; the first to accept gets the job.",
        count,
    )
