"""Home, departments and the interpreter pool, each scoped to what the viewer may see."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from rris.context import current_clock
from rris.domain.languages import POOL_LANGUAGES
from rris.domain.permissions import Capability, can
from rris.extensions import db
from rris.models import Department, InterpreterProfile, User
from rris.queries.pool import coverage_by_language, expiring_accreditations, pool_size
from rris.queries.scoping import get_visible, visible_departments, visible_interpreters, visible_users
from rris.timeutil import to_local
from rris.web.authentication import current_actor, require

bp = Blueprint("directory", __name__)


@bp.get("/")
@login_required
def home() -> Any:
    actor = current_actor()
    today = to_local(current_clock().now(), current_user.zone_name).date()
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


@bp.get("/departments/<int:department_id>")
@require(Capability.VIEW_DEPARTMENTS)
def department(department_id: int) -> Any:
    actor = current_actor()
    record = get_visible(visible_departments(actor), Department, department_id)
    people = db.session.scalars(visible_users(actor).where(User.department_id == record.id)).all()
    return render_template("directory/department.html", department=record, people=people)


@bp.get("/interpreters")
@require(Capability.VIEW_POOL)
def interpreters() -> Any:
    pool = db.session.scalars(visible_interpreters(current_actor())).all()
    today = current_clock().now().date()
    return render_template("directory/interpreters.html", pool=pool, today=today)


@bp.get("/interpreters/<int:interpreter_id>")
@login_required
def interpreter(interpreter_id: int) -> Any:
    profile = get_visible(visible_interpreters(current_actor()), InterpreterProfile, interpreter_id)
    return render_template("directory/interpreter.html", profile=profile, today=current_clock().now().date())
