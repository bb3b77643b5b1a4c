"""The audit trail's page and its CSV export. Which entries a reader sees is
`rris.access.queries.scoping.audit_filter`'s decision; the views only parse and render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.audit.domain.trail_filter import EXPORT_MAX_ROWS, TrailFilter
from rris.audit.queries.trail import actions_in_reach, subject_types_in_reach, trail_page, trail_rows
from rris.audit.services.trail_export import details_text, trail_csv
from rris.audit.web.audit_forms import TrailFilterForm
from rris.audit.web.audit_wording import action_label, role_label, subject_label
from rris.common.web.authentication import current_actor, require
from rris.common.web.errors import error_response
from rris.common.web.presenting import viewer_today, viewer_zone

bp = Blueprint("audit", __name__)


def _read_filter() -> tuple[TrailFilterForm, TrailFilter | None, dict[str, str]]:
    """The form bound to the query string, the filter it describes (None when not valid), the problems."""
    actor = current_actor()
    form = TrailFilterForm(request.args)
    form.fill_choices(actions_in_reach(actor), subject_types_in_reach(actor))
    if not form.validate():
        return form, None, {name: "; ".join(str(error) for error in errors) for name, errors in form.errors.items()}
    return form, form.trail_filter(), {}


@bp.get("/audit")
@require(Capability.VIEW_AUDIT)
def index() -> Any:
    form, trail_filter, invalid = _read_filter()
    if trail_filter is None:
        return render_template("audit/index.html", form=form, page=None, invalid=invalid, query={}), 400
    page = trail_page(current_actor(), trail_filter, viewer_zone(), request.args.get("page", type=int))
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "audit/index.html",
        form=form,
        page=page,
        invalid=invalid,
        query=query,
        action_label=action_label,
        subject_label=subject_label,
        role_label=role_label,
        details_text=details_text,
    )


@bp.get("/audit.csv")
@require(Capability.VIEW_AUDIT)
def csv_export() -> Any:
    _form, trail_filter, invalid = _read_filter()
    if trail_filter is None:
        abort(make_response(error_response(400, _("The filter is not valid."), invalid)))
    rows = trail_rows(current_actor(), trail_filter, viewer_zone(), EXPORT_MAX_ROWS + 1)
    body = trail_csv(rows[:EXPORT_MAX_ROWS], EXPORT_MAX_ROWS if len(rows) > EXPORT_MAX_ROWS else None)
    response = Response(body.encode("utf-8-sig"), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="rris-audit-{viewer_today().isoformat()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
