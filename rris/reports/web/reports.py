"""The report pages: figures, charts and tables for a period; a printable monthly view; CSV and
XLSX exports. Who sees which countries is `rris.reports.services.reporting`'s decision."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.access.queries.scoping import visible_departments
from rris.common.web.authentication import current_actor, require
from rris.common.web.errors import error_response
from rris.common.web.presenting import money, number, percent, viewer_locale, viewer_today, viewer_zone
from rris.context import current_clock
from rris.extensions import db
from rris.pool.queries.pool import languages_in_pool
from rris.reports.domain.report_tables import Kind, Period
from rris.reports.services.reporting import (
    EXPORTED_TABLES,
    ReportView,
    build_report,
    charts_of,
    export_csv,
    export_xlsx,
    period_label,
    period_text,
    pinned_country,
)
from rris.reports.web.report_forms import ReportFilterForm

bp = Blueprint("reports", __name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read_filter() -> tuple[ReportFilterForm, ReportView | None, Any]:
    """The form bound to the query string, the report it asks for, or the error response."""
    actor = current_actor()
    form = ReportFilterForm(request.args)
    zone_name = viewer_zone()
    today = viewer_today()
    departments = list(db.session.scalars(visible_departments(actor)))
    form.fill_choices(languages_in_pool(), departments, pinned_country(actor))
    if not form.validate():
        invalid = {name: "; ".join(str(error) for error in errors) for name, errors in form.errors.items()}
        return form, None, invalid
    return form, build_report(actor, form.report_filter(zone_name, today), current_clock().now()), None


def _valid_report() -> ReportView:
    """The report the query string asks for; a 400 naming the invalid fields when the filter is not valid."""
    _form, view, invalid = _read_filter()
    if view is None:
        abort(make_response(error_response(400, _("The report's filter is not valid."), invalid)))
    return view


@bp.get("/reports")
@require(Capability.VIEW_REPORTS)
def index() -> Any:
    form, view, invalid = _read_filter()
    if view is None:
        return render_template("reports/index.html", form=form, view=None, invalid=invalid), 400
    return render_template(
        "reports/index.html",
        form=form,
        view=view,
        tables=view.tables(),
        charts=_chart_images(view),
        period=period_text(view.report_filter),
        exported=EXPORTED_TABLES,
        query=request.args.to_dict(),
        Kind=Kind,
    )


@bp.get("/reports/print")
@require(Capability.VIEW_REPORTS)
def printable() -> Any:
    """The period on paper: the exported tables (small counts hidden across countries) and charts."""
    view = _valid_report()
    return render_template(
        "reports/print.html",
        view=view,
        tables=view.tables(exported=True),
        charts=_chart_images(view),
        period=period_text(view.report_filter),
        printed_at=current_clock().now(),
        Kind=Kind,
    )


@bp.get("/reports/<key>.csv")
@require(Capability.VIEW_REPORTS)
def csv_export(key: str) -> Any:
    if key not in EXPORTED_TABLES:
        return error_response(404, _("There is no table called %(key)s.", key=key))
    view = _valid_report()
    body = export_csv(view, key)
    return _download(body.encode("utf-8-sig"), "text/csv; charset=utf-8", f"rris-{key}-{_file_period(view)}.csv")


@bp.get("/reports/report.xlsx")
@require(Capability.VIEW_REPORTS)
def xlsx_export() -> Any:
    view = _valid_report()
    return _download(export_xlsx(view), XLSX_TYPE, f"rris-report-{_file_period(view)}.xlsx")


def _chart_images(view: ReportView) -> dict[str, str]:
    """The charts as data URIs: inline images pass the page's CSP (img-src 'self' data:) and
    carry no script, and the page and its figures come from one computation."""
    return {
        key: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        for key, svg in charts_of(view).items()
    }


def _file_period(view: ReportView) -> str:
    scope = view.report_filter.country_code or "all"
    return f"{period_label(view.report_filter).replace(' ', '').replace(chr(0x2013), '_')}-{scope.lower()}"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("report_cell")
def report_cell(cell: object, kind: Kind, currency: str | None = None) -> str:
    """A table cell for reading, in the viewer's locale: '1,234', '82.5%', '€1,234.50', 'March 2026', '—'."""
    if cell is None:
        return "\u2014"
    if isinstance(cell, Period):
        return cell.text(viewer_locale())
    if isinstance(cell, str) or kind is Kind.TEXT or not isinstance(cell, int | float | Decimal):
        return str(cell)
    if kind is Kind.RATIO:
        return percent(cell)
    if kind is Kind.MONEY:
        return money(cell, currency) if currency else number(cell, 2)
    if kind in (Kind.HOURS, Kind.DAYS, Kind.SECONDS):
        return number(cell, 1)
    return number(cell, 0)
