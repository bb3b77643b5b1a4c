"""Admins keep the countries' asylum authorities and their departments."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from rris.access.domain.permissions import Capability
from rris.accounts.services import authorities
from rris.accounts.web.accounts_admin import acting
from rris.accounts.web.admin_forms import AuthorityForm, CloseDepartmentForm, DepartmentForm
from rris.common.web.authentication import require
from rris.common.web.forms import ConfirmForm, run_form
from rris.extensions import db
from rris.pool.models.geography import Country, Department

bp = Blueprint("authorities", __name__)


@bp.get("/authorities")
@require(Capability.MANAGE_AUTHORITIES)
def index() -> Any:
    countries = db.session.scalars(select(Country).order_by(Country.name)).all()
    return render_template("accounts/authorities.html", countries=countries)


@bp.get("/authorities/<id:country_id>")
@require(Capability.MANAGE_AUTHORITIES)
def authority(country_id: int, forms: dict[str, FlaskForm] | None = None, status: int = 200) -> Any:
    country = db.get_or_404(Country, country_id)
    page_forms: dict[str, FlaskForm] = {
        "rename": AuthorityForm(formdata=None, data={"authority": country.authority}),
        "department": DepartmentForm(formdata=None),
        "close": CloseDepartmentForm(formdata=None),
        "button": ConfirmForm(formdata=None),
        **(forms or {}),
    }
    return render_template("accounts/authority.html", country=country, forms=page_forms), status


@bp.post("/authorities/<id:country_id>/rename")
@require(Capability.MANAGE_AUTHORITIES)
def rename(country_id: int) -> Any:
    db.get_or_404(Country, country_id)
    form = AuthorityForm()
    if run_form(form, lambda: authorities.rename_authority(country_id, form.authority.data or "", acting())):
        flash(_("Saved."), "success")
        return redirect(url_for("authorities.authority", country_id=country_id))
    return authority(country_id, forms={"rename": form}, status=422)


@bp.post("/authorities/<id:country_id>/departments")
@require(Capability.MANAGE_AUTHORITIES)
def add_department(country_id: int) -> Any:
    db.get_or_404(Country, country_id)
    form = DepartmentForm()
    if run_form(form, lambda: authorities.create_department(country_id, _office(form), acting())):
        flash(_("The department is open."), "success")
        return redirect(url_for("authorities.authority", country_id=country_id))
    return authority(country_id, forms={"department": form}, status=422)


@bp.route("/authorities/departments/<id:department_id>", methods=["GET", "POST"])
@require(Capability.MANAGE_AUTHORITIES)
def edit_department(department_id: int) -> Any:
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm(data={"name": department.name, "city": department.city, "timezone": department.timezone})
    if run_form(form, lambda: authorities.update_department(department_id, _office(form), acting())):
        flash(_("Saved."), "success")
        return redirect(url_for("authorities.authority", country_id=department.country_id))
    page = render_template("accounts/department_form.html", department=department, form=form)
    return page, 422 if form.errors else 200


@bp.post("/authorities/departments/<id:department_id>/close")
@require(Capability.MANAGE_AUTHORITIES)
def close_department(department_id: int) -> Any:
    department = db.get_or_404(Department, department_id)
    form = CloseDepartmentForm()
    if run_form(form, lambda: authorities.close_department(department_id, form.reason.data or "", acting())):
        flash(_("The department is closed."), "success")
        return redirect(url_for("authorities.authority", country_id=department.country_id))
    return authority(department.country_id, forms={"close": form}, status=422)


@bp.post("/authorities/departments/<id:department_id>/reopen")
@require(Capability.MANAGE_AUTHORITIES)
def reopen_department(department_id: int) -> Any:
    department = db.get_or_404(Department, department_id)
    if run_form(ConfirmForm(), lambda: authorities.reopen_department(department_id, acting())):
        flash(_("The department is open."), "success")
    return redirect(url_for("authorities.authority", country_id=department.country_id))


def _office(form: DepartmentForm) -> authorities.Office:
    return authorities.Office(form.name.data or "", form.city.data or "", form.timezone.data or "")
