"""Home, departments and the interpreter pool, each scoped to what the viewer may see."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from rris.access.domain.permissions import Capability, can
from rris.access.queries.scoping import get_visible, visible_departments, visible_interpreters, visible_users
from rris.accounts.models.accounts import User
from rris.bookings.web.booking_forms import ReofferForm
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import run_form
from rris.common.web.presenting import viewer_today
from rris.context import current_clock, current_settings
from rris.extensions import db
from rris.notifications.queries.notices import open_conflicts
from rris.offers.domain.waves import WavePolicy
from rris.pool.domain.languages import POOL_LANGUAGES
from rris.pool.models.geography import Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.queries.directory import pool_page
from rris.pool.queries.pool import coverage_by_language, expiring_accreditations, pool_size
from rris.pool.services import pool_admin
from rris.pool.web.pool_forms import DeactivateForm, ReactivateForm

bp = Blueprint("directory", __name__)


@bp.get("/")
@login_required
def home() -> Any:
    actor = current_actor()
    today = viewer_today()
    context: dict[str, Any] = {"today": today}
    if actor.interpreter_id is not None:
        context["profile"] = db.session.get(InterpreterProfile, actor.interpreter_id)
    if can(actor, Capability.BOOK_INTERPRETERS):
        context["coverage"] = coverage_by_language(list(POOL_LANGUAGES), actor.country_id, today)
    if can(actor, Capability.VIEW_POOL):
        context["pool_size"] = pool_size()
        context["expiring"] = expiring_accreditations(today)
    return render_template("directory/home.html", **context)


@bp.get("/departments")
@require(Capability.VIEW_DEPARTMENTS)
def departments() -> Any:
    listed = db.session.scalars(visible_departments(current_actor())).all()
    by_country: dict[Any, list[Department]] = {}
    for department in listed:
        by_country.setdefault(department.country, []).append(department)
    return render_template("directory/departments.html", by_country=by_country)


@bp.get("/departments/<id:department_id>")
@require(Capability.VIEW_DEPARTMENTS)
def department(department_id: int) -> Any:
    actor = current_actor()
    record = get_visible(visible_departments(actor), Department, department_id)
    people = db.session.scalars(visible_users(actor).where(User.department_id == record.id)).all()
    return render_template("directory/department.html", department=record, people=people)


@bp.get("/interpreters")
@require(Capability.VIEW_POOL)
def interpreters() -> Any:
    page = pool_page(current_actor(), request.args.get("page", type=int))
    manages_pool = can(current_actor(), Capability.MANAGE_POOL)
    return render_template("directory/interpreters.html", page=page, today=viewer_today(), manages_pool=manages_pool)


@bp.get("/interpreters/<id:interpreter_id>")
@login_required
def interpreter(interpreter_id: int, deactivate_form: DeactivateForm | None = None, status: int = 200) -> Any:
    actor = current_actor()
    profile = get_visible(visible_interpreters(actor), InterpreterProfile, interpreter_id)
    now = current_clock().now()
    context: dict[str, Any] = {"profile": profile, "today": viewer_today()}
    if can(actor, Capability.MANAGE_POOL):
        # Only an interpreter out of the pool leaves jobs to re-offer: an active one's are not read.
        jobs = pool_admin.jobs_left_by(profile.id, now) if not profile.active else []
        context.update(
            deactivate_form=deactivate_form or DeactivateForm(formdata=None),
            reactivate_form=ReactivateForm(formdata=None),
            reoffer_form=ReofferForm(formdata=None),
            deactivation=pool_admin.current_deactivation(profile.id),
            jobs_left=jobs,
            conflicted={job.booking_id for job in jobs if open_conflicts(job.booking_id)},
        )
    return render_template("directory/interpreter.html", **context), status


@bp.post("/interpreters/<id:interpreter_id>/deactivate")
@require(Capability.MANAGE_POOL)
def deactivate(interpreter_id: int) -> Any:
    form, actor, now = DeactivateForm(), current_actor(), current_clock().now()
    waves = WavePolicy.from_settings(current_settings())
    if done := run_form(
        form, lambda: pool_admin.deactivate_interpreter(interpreter_id, actor, form.reason.data, now, waves)
    ):
        flash(
            _(
                "Out of the pool: %(offers)d offers withdrawn, %(jobs)d upcoming jobs to re-offer.",
                offers=done.result.withdrawn_offers,
                jobs=len(done.result.jobs_left),
            ),
            "success",
        )
        return redirect(url_for("directory.interpreter", interpreter_id=interpreter_id))
    return interpreter(interpreter_id, deactivate_form=form, status=422)


@bp.post("/interpreters/<id:interpreter_id>/reactivate")
@require(Capability.MANAGE_POOL)
def reactivate(interpreter_id: int) -> Any:
    if ReactivateForm().validate_on_submit():
        pool_admin.reactivate_interpreter(interpreter_id, current_actor(), current_clock().now())
        flash(_("The interpreter is back in the pool."), "success")
    return redirect(url_for("directory.interpreter", interpreter_id=interpreter_id))
