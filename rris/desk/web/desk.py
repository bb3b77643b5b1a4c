"""The coordinators' desk: unfilled bookings first, then conflicts, then the calls going on now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.common.web.authentication import require
from rris.common.web.presenting import duration, waited
from rris.context import current_clock
from rris.desk.services.desk import desk
from rris.matching.services.wording import reason_name

bp = Blueprint("desk", __name__)

DESK_DAYS = 3
REFRESH_SECONDS = 30


@bp.get("/desk")
@require(Capability.MANAGE_POOL)
def index() -> Any:
    board = desk(current_clock().now(), days=DESK_DAYS, page=request.args.get("page", type=int))
    return render_template(
        "desk/index.html",
        desk=board,
        refresh_seconds=REFRESH_SECONDS,
        reason_name=reason_name,
        time_left=time_left,
        waited=waited,
    )


def time_left(delta: timedelta) -> str:
    """How long until the start, as every duration reads ('2 days, 3 hr, 10 min'), or 'started'."""
    if delta < timedelta(0):
        return _("started")
    return duration(delta)
