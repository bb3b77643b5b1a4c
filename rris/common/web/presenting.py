"""How values look on a page: times in the viewer's zone with the zone named, numbers and money,
language and country names, footnotes. Templates call these; they never do time-zone maths or
formatting themselves. Every time, date, number and amount goes through
`rris.common.domain.formats` in the viewer's locale: one format per context."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from flask import Flask, g, has_request_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from rris.access.domain.permissions import capabilities
from rris.bookings.services.move_wording import why_moved
from rris.common.domain import formats
from rris.common.domain.formats import Number
from rris.common.services.wording import current_locale, label, language_name, region_label
from rris.common.web.authentication import current_actor
from rris.context import current_clock
from rris.matching.domain.ranking import ScoreComponent
from rris.matching.domain.rules import Rejection
from rris.matching.models.conflicts import BookingConflict
from rris.matching.services import wording as reasons
from rris.matching.services.conflict_wording import conflict_text
from rris.pool.models.geography import Country, Department
from rris.timeutil import to_local


def viewer_locale() -> Locale:
    """The locale the page's dates and numbers are written in (`current_locale` decides it: the
    page's language as used in the viewer's country, Serbian Latin in Montenegro as sr_Latn_ME)."""
    if has_request_context():
        # Every date and number filter of a page asks; the viewer's country is looked up once
        # per language the page speaks (a part of it may be forced into another).
        cache: dict[str, Locale] = g.setdefault("rris_viewer_locales", {})
        language = str(get_locale())
        if language not in cache:
            cache[language] = current_locale()
        return cache[language]
    return current_locale()


def zone_label(zone_name: str, instant: datetime | None = None) -> str:
    """'Kabul (UTC+04:30)': the place in the viewer's language and its offset at `instant` (default now)."""
    return formats.zone_label(zone_name, instant or current_clock().now(), viewer_locale())


def list_time(instant: datetime | None, zone_name: str | None = None) -> str:
    """A time in a list or table row, in `zone_name` (default: the viewer's), zone named."""
    if instant is None:
        return ""
    return formats.list_row(instant, zone_name or viewer_zone(), viewer_locale(), viewer_today())


def heading_time(instant: datetime | None, zone_name: str | None = None) -> str:
    """A time stated on its own (a detail page's 'Starts'), full date, zone named."""
    if instant is None:
        return ""
    return formats.heading(instant, zone_name or viewer_zone(), viewer_locale())


def time_span(start: datetime, end: datetime, zone_name: str | None = None) -> str:
    """A session from `start` to `end` on the wall clock of `zone_name` (default: the viewer's)."""
    return formats.time_span(start, end, zone_name or viewer_zone(), viewer_locale(), viewer_today())


def duration(length: timedelta | float) -> str:
    """A length of time (a timedelta, or minutes) in hours and minutes, in the viewer's language."""
    if not isinstance(length, timedelta):
        length = timedelta(minutes=length)
    return formats.duration(length, viewer_locale())


def waited(length: timedelta) -> str:
    """How long someone has waited ('40 sec', '3 min'), in the viewer's language."""
    return formats.waited(length, viewer_locale())


def local_clock(zone_name: str) -> str:
    """The time it is now in `zone_name`, e.g. '14:05' or '2:05 PM' as the viewer's locale writes it."""
    return formats.clock(current_clock().now(), zone_name, viewer_locale())


def long_date(day: date | None) -> str:
    """A calendar date in the viewer's language."""
    return "" if day is None else formats.day(day, viewer_locale())


def number(value: Number | None, fraction_digits: int | None = None) -> str:
    """A number with the viewer's separators and digits."""
    return "" if value is None else formats.number(value, viewer_locale(), fraction_digits)


def percent(fraction: Number | None, fraction_digits: int = 1) -> str:
    """A share (0..1) as a percentage in the viewer's locale."""
    return "" if fraction is None else formats.percent(fraction, viewer_locale(), fraction_digits)


def money(amount: Number | None, currency: str) -> str:
    """An amount in `currency` as the viewer's locale writes it."""
    return "" if amount is None else formats.money(amount, currency, viewer_locale())


def rejection_text(rejection: Rejection) -> str:
    """Why an interpreter is left out, in the viewer's language, dates as the viewer reads them."""
    return reasons.rejection_text(rejection, viewer_locale())


def score_text(component: ScoreComponent) -> str:
    """Why a score component gave its points, in the viewer's language."""
    return reasons.score_text(component, viewer_locale())


def conflict_reason(conflict: BookingConflict) -> str:
    """Why a conflict's interpreter can no longer take the job, in the viewer's language."""
    return conflict_text(conflict, viewer_locale())


def viewer_zone() -> str:
    """The signed-in person's zone, UTC for visitors."""
    if current_user.is_authenticated:
        return current_user.zone_name
    return "UTC"


def viewer_today() -> date:
    """The calendar date where the signed-in person is (a coordinator's day, not UTC's)."""
    return to_local(current_clock().now(), viewer_zone()).date()


def country_name(country: Country) -> str:
    """The country's name in the viewer's language; one that needs a footnote gets its asterisk
    and the page shows the footnote."""
    return region_title(country.code)


def department_title(department: Department) -> str:
    """A department as a choice names it: "Asylum Office (Serbia)", the country as `country_name` has it."""
    return f"{department.name} ({country_name(department.country)})"


def region_title(code: str) -> str:
    """A country's name from its ISO code in the viewer's language, with its asterisk and the
    page's footnote if it needs one."""
    name, footnote = region_label(code)
    if footnote:
        g.setdefault("footnotes", {}).setdefault(name, footnote)
    return name


def page_footnotes() -> dict[str, str]:
    """Footnotes collected while the page rendered (Kosovo*, ...)."""
    return g.get("footnotes", {})


def register_presenters(app: Flask) -> None:
    """Make the presenters available to every template."""
    app.jinja_env.filters.update(
        list_time=list_time,
        heading_time=heading_time,
        long_date=long_date,
        duration=duration,
        number=number,
        percent=percent,
        money=money,
        language_name=language_name,
        country_name=country_name,
        zone_label=zone_label,
        local_clock=local_clock,
        label=label,
        rejection_text=rejection_text,
        score_text=score_text,
        conflict_reason=conflict_reason,
    )

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        granted = capabilities(current_actor()) if current_user.is_authenticated else frozenset()
        return {
            "granted": granted,
            "page_footnotes": page_footnotes,
            "viewer_zone": viewer_zone,
            "time_span": time_span,
        }

    app.jinja_env.globals["why_moved"] = why_moved
    app.jinja_env.globals["_"] = _
    app.jinja_env.globals["ngettext"] = ngettext
