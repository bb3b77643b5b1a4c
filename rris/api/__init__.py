"""The JSON API (`/api/v1`) over the same services as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

from rris.access.domain.permissions import Capability, can
from rris.common.web.authentication import authenticated_by_token, current_actor
from rris.common.web.errors import problem
from rris.common.web.extensions import csrf, login_manager

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can(current_actor(), Capability.USE_API):
        return problem(403, _("This account may not use the API."))
    # A browser using its session cookie must prove the request came from our pages.
    if not authenticated_by_token() and request.method not in SAFE_METHODS:
        csrf.protect()
    return None


from rris.api import bookings, ondemand, reports, resources  # noqa: E402,F401  (routes attach to `bp`)
