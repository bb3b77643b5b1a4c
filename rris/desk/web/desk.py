"""The coordinators' desk: unfilled bookings first, then conflicts, then the calls going on now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.common.web.authentication import require
from rris.context import current_clock
from rris.desk.services.desk import desk
from rris.matching.services.wording import reason_name

bp = Blueprint("desk", __name__)

DESK_DAYS = 3
REFRESH_SECONDS = 30


@bp.get("/desk")
@require(Capability.MANAGE_POOL)
def index() -> Any:
    board = desk(current_clock().now(), days=DESK_DAYS)
    return render_template(
        "desk/index.html",
        desk=board,
        refresh_seconds=REFRESH_SECONDS,
        reason_name=reason_name,
        time_left=time_left,
    )


def time_left(delta: timedelta) -> str:
    """'2 d 3 h', '5 h 10 min', '25 min', or 'started' once the start has passed."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return _("started")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return _("%(minutes)d min", minutes=minutes)
