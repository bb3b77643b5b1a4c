"""Errors as people and programs want them: pages in the site's layout, or problem+json.

Never a traceback: anything unexpected becomes a plain 500 page and a log entry.
"""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from rris.access.queries.scoping import NotVisible
from rris.bookings.domain.booking_states import IllegalTransition
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput, TooManyAttempts
from rris.context import current_clock

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# A problem document of type about:blank is titled with its status's HTTP phrase (RFC 9457 4.2.1),
# translated like its detail: the English stays the phrase whatever Python's version calls it,
# and a status not listed here keeps the English phrase.
_PROBLEM_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
}


def wants_json() -> bool:
    """True for API calls and clients that prefer JSON to HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    return best in ("application/json", PROBLEM_JSON)


def problem(status: int, detail: str = "", invalid_params: dict[str, str] | None = None, **extra: Any) -> Response:
    """An RFC 9457 problem document in the request's language (its title too; `type` and `status`
    never change); `invalid_params` names each bad field and what is wrong."""
    title = str(_PROBLEM_TITLES.get(status, HTTPStatus(status).phrase))
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if invalid_params:
        body["invalid_params"] = [{"name": name, "reason": reason} for name, reason in invalid_params.items()]
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def error_response(status: int, detail: str = "", invalid_params: dict[str, str] | None = None) -> Any:
    """The error in the form the client wants."""
    if wants_json():
        return problem(status, detail, invalid_params)
    return (
        render_template(
            "errors.html",
            status=status,
            title=_title(status),
            detail=detail or _default_detail(status),
            invalid_params=invalid_params or {},
        ),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    """Translate HTTP and domain errors for every view."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        log.info("CSRF rejected: %s", error.description)
        return error_response(
            400, _("The form has expired or did not come from this site. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        detail = error.description if status in (400, 422) and error.description else ""
        response = app.make_response(error_response(status, detail))
        # Keep what the error says besides its body: a 405 must name the methods in `Allow`.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(NotVisible)
    def _not_visible(error: NotVisible) -> Any:
        return error_response(404)

    @app.errorhandler(Forbidden)
    def _forbidden(error: Forbidden) -> Any:
        return error_response(403, str(error))

    @app.errorhandler(Conflict)
    def _conflict(error: Conflict) -> Any:
        return error_response(409, str(error))

    @app.errorhandler(IllegalTransition)
    def _illegal(error: IllegalTransition) -> Any:
        return error_response(409, _("This is not possible now: %(why)s.", why=str(error)))

    @app.errorhandler(InvalidInput)
    def _invalid(error: InvalidInput) -> Any:
        return error_response(422, _("Some values are not right."), error.errors)

    @app.errorhandler(TooManyAttempts)
    def _throttled(error: TooManyAttempts) -> Any:
        wait_seconds = max(1, math.ceil((error.retry_at - current_clock().now()).total_seconds()))
        minutes = math.ceil(wait_seconds / 60)
        detail = _("Too many attempts. Try again in %(minutes)d minutes.", minutes=minutes)
        response = app.make_response(error_response(429, detail))
        response.headers["Retry-After"] = str(wait_seconds)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)


def _title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Please sign in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed here"),
        422: _("Please check what you entered"),
        409: _("Someone was quicker"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }
    return titles.get(status, HTTPStatus(status).phrase)


def _default_detail(status: int) -> str:
    details = {
        400: _("The request could not be understood."),
        403: _("Your role does not allow this. If you think it should, ask a coordinator."),
        404: _("There is nothing here, or it is not yours to see."),
        405: _("This address does not accept that kind of request."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("We could not finish this request. It has been logged; please try again in a moment."),
    }
    return details.get(status, "")
