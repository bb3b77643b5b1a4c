"""How values look on a page: times in the viewer's zone with the zone named, language and
country names, footnotes. Templates call these; they never do time-zone maths themselves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, g
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from rris.access.domain.permissions import capabilities
from rris.common.services import wording
from rris.common.services.wording import label, language_name, region_label, score_detail
from rris.common.web.authentication import current_actor
from rris.context import current_clock
from rris.pool.models.geography import Country
from rris.timeutil import to_local


def zone_label(zone_name: str, instant: datetime | None = None) -> str:
    """'Kabul (UTC+04:30)': the place and its offset at `instant` (default now)."""
    return wording.zone_label(zone_name, instant or current_clock().now())


def local_time(instant: datetime | None, zone_name: str | None = None, style: str = "medium") -> str:
    """`instant` as wall-clock time in `zone_name` (default: the viewer's), zone named."""
    if instant is None:
        return ""
    return wording.local_time(instant, zone_name or viewer_zone(), style)


def local_clock(zone_name: str) -> str:
    """The time it is now in `zone_name`, e.g. '14:05'."""
    local = to_local(current_clock().now(), zone_name)
    return f"{local:%H:%M}"


def long_date(day: date | None) -> str:
    """A calendar date in the viewer's language."""
    return "" if day is None else format_date(day, format="medium")


def viewer_zone() -> str:
    """The signed-in person's zone, UTC for visitors."""
    if current_user.is_authenticated:
        return current_user.zone_name
    return "UTC"


def viewer_today() -> date:
    """The calendar date where the signed-in person is (a coordinator's day, not UTC's)."""
    return to_local(current_clock().now(), viewer_zone()).date()


def country_name(country: Country) -> str:
    """The country's name; one that needs a footnote gets its asterisk and the page shows it."""
    return _footnoted(country.display_name, country.footnote)


def region_title(code: str) -> str:
    """A country's name from its ISO code, with its asterisk and the page's footnote if it needs one."""
    return _footnoted(*region_label(code))


def _footnoted(name: str, footnote: str | None) -> str:
    if footnote:
        footnotes = g.setdefault("footnotes", {})
        footnotes.setdefault(name, footnote)
    return name


def page_footnotes() -> dict[str, str]:
    """Footnotes collected while the page rendered (Kosovo*, ...)."""
    return g.get("footnotes", {})


def register_presenters(app: Flask) -> None:
    """Make the presenters available to every template."""
    app.jinja_env.filters.update(
        local_time=local_time,
        long_date=long_date,
        language_name=language_name,
        country_name=country_name,
        zone_label=zone_label,
        local_clock=local_clock,
        label=label,
        score_detail=score_detail,
    )

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        granted = capabilities(current_actor()) if current_user.is_authenticated else frozenset()
        return {"granted": granted, "page_footnotes": page_footnotes, "viewer_zone": viewer_zone}

    app.jinja_env.globals["_"] = _
    app.jinja_env.globals["ngettext"] = ngettext
