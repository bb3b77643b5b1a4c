"""The pool as a CSV file: download it, and upload one to check or import."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from rris.access.domain.permissions import Capability
from rris.common.web.authentication import current_actor, require
from rris.context import current_clock
from rris.pool.services.pool_import import apply_import, export_pool_chunks, preview_import

bp = Blueprint("pool_transfer", __name__, url_prefix="/pool")

EXPORT_FILENAME = "rris-pool.csv"


class PoolImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
    check = SubmitField(_l("Check only"))
    run = SubmitField(_l("Import"))


@bp.get("/export.csv")
@require(Capability.MANAGE_POOL)
def export() -> Any:
    response = Response(export_pool_chunks(current_actor()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@require(Capability.MANAGE_POOL)
def import_pool() -> Any:
    form = PoolImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("Save the file as UTF-8 CSV and upload it again."))
        else:
            service = apply_import if form.run.data else preview_import
            report = service(text, current_actor(), current_clock().now())
    if form.errors or (report is not None and not report.ok):
        status = 422
    return render_template("pool/import.html", form=form, report=report), status
