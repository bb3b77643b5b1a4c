"""Coordinators add and edit interpreters, and see the accreditations that need renewing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.access.queries.scoping import get_visible, visible_interpreters
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import run_form
from rris.common.web.presenting import viewer_today
from rris.context import current_clock
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.queries.accreditations import ACCREDITATION_WARNING_DAYS, WarningBoard, accreditation_warnings
from rris.pool.services.interpreter_records import create_interpreter, entry_of, update_interpreter
from rris.pool.web.pool_forms import InterpreterForm

bp = Blueprint("interpreter_admin", __name__)


@bp.route("/interpreters/new", methods=["GET", "POST"])
@require(Capability.MANAGE_POOL)
def new_interpreter() -> Any:
    form, actor, now = InterpreterForm(), current_actor(), current_clock().now()
    if created := run_form(form, lambda: create_interpreter(form.entry(), actor, now, viewer_today())):
        flash(_("Added to the pool. They choose a password with “Forgot password” and this address."), "success")
        return redirect(url_for("directory.interpreter", interpreter_id=created.result))
    return _form_page(form, None)


@bp.route("/interpreters/<id:interpreter_id>/edit", methods=["GET", "POST"])
@require(Capability.MANAGE_POOL)
def edit_interpreter(interpreter_id: int) -> Any:
    actor, now = current_actor(), current_clock().now()
    profile = get_visible(visible_interpreters(actor), InterpreterProfile, interpreter_id)
    form = InterpreterForm() if request.method == "POST" else InterpreterForm(data=entry_of(profile))
    if run_form(form, lambda: update_interpreter(profile.id, form.entry(), actor, now, viewer_today())):
        flash(_("Saved."), "success")
        return redirect(url_for("directory.interpreter", interpreter_id=interpreter_id))
    return _form_page(form, profile)


@bp.get("/pool/accreditations")
@require(Capability.VIEW_POOL)
def accreditations() -> Any:
    return render_template(
        "pool/accreditations.html",
        board=accreditation_board(),
        within_days=ACCREDITATION_WARNING_DAYS,
        today=viewer_today(),
    )


@bp.app_template_global()
def accreditation_board(interpreter_id: int | None = None) -> WarningBoard:
    """Accreditations ending soon or ended with jobs ahead, as of the viewer's date (one
    interpreter's only, for her page's badges: the whole pool's took 100-200 ms on PostgreSQL at
    the region's size); read once per request, for the pool list's and the interpreter page's badges."""
    boards = g.setdefault("accreditation_boards", {})
    if interpreter_id not in boards:
        boards[interpreter_id] = accreditation_warnings(
            viewer_today(), current_clock().now(), interpreter_id=interpreter_id
        )
    board: WarningBoard = boards[interpreter_id]
    return board


def _form_page(form: InterpreterForm, profile: InterpreterProfile | None) -> Any:
    status = 422 if form.errors else 200
    return render_template("pool/interpreter_form.html", form=form, profile=profile), status
