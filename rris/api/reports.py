"""The report as JSON: the period's figures, on-demand calls included, scoped like the page."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from pydantic import ValidationError

from rris.access.domain.permissions import Capability, can
from rris.api import bp
from rris.api.report_json import report_json
from rris.common.web.authentication import current_actor
from rris.common.web.presenting import viewer_today, viewer_zone
from rris.common.web.request_shapes import invalid_input
from rris.context import current_clock
from rris.reports.services.report_requests import ReportQuery
from rris.reports.services.reporting import period_figures


@bp.get("/reports")
def report() -> Any:
    actor = current_actor()
    if not can(actor, Capability.VIEW_REPORTS):
        abort(403)
    # Every value as given: an empty one is refused as the document says, not taken as "not given".
    try:
        query = ReportQuery.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise invalid_input(error, ReportQuery) from None
    chosen = query.report_filter(actor, viewer_zone(), viewer_today())
    return jsonify(report_json(period_figures(actor, chosen, current_clock().now())))
