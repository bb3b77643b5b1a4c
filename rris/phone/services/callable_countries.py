"""The countries the telephone fallback may call: coordinators keep the list; until they first
save one, the pool's countries and those of the active interpreters' verified phones.

Every save is a new version (who, when, which countries), so the list's history is its audit
trail. A save names the version it was based on: two coordinators editing at once cannot
silently undo each other.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.audit.domain.events import DETAIL_VALUE_MAX_CHARS, AuditEvent
from rris.audit.services.trail import record_audit
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.services.transactions import begin_write
from rris.context import current_origin
from rris.extensions import db
from rris.phone.domain.toll_guard import is_region, region_of
from rris.phone.models.callable_countries import CallableCountryList
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import InterpreterProfile

log = logging.getLogger(__name__)
# The setting's name in the audit trail.
CALLABLE_COUNTRIES_SETTING = "callable_countries"

HISTORY_SHOWN = 10
_SEPARATORS = re.compile(r"[\s,;\u060c\u061b]+")  # Arabic-script keyboards type ، and ؛


@dataclass(frozen=True)
class CallableCountries:
    """The list in force: its countries, and the saved version it comes from (None: the default)."""

    regions: frozenset[str]
    version: CallableCountryList | None

    @property
    def is_default(self) -> bool:
        return self.version is None


def callable_countries() -> CallableCountries:
    """The countries RRIS may call now."""
    newest = _newest_version()
    if newest is not None:
        return CallableCountries(newest.codes, newest)
    return CallableCountries(default_regions(), None)


def default_regions() -> frozenset[str]:
    """The pool's countries and the countries of the active interpreters' verified phones."""
    return pool_regions() | frozenset(interpreter_phone_regions())


def pool_regions() -> frozenset[str]:
    """The countries whose authorities book interpreters."""
    return frozenset(code for code in db.session.scalars(select(Country.code)) if is_region(code))


def interpreter_phone_regions() -> Counter[str]:
    """How many active interpreters have a verified phone in each country."""
    phones = db.session.scalars(
        select(User.phone)
        .join(InterpreterProfile, InterpreterProfile.user_id == User.id)
        .where(
            User.active.is_(True),
            InterpreterProfile.active.is_(True),
            User.phone.is_not(None),
            User.phone_verified_at.is_not(None),
        )
    )
    return Counter(region for region in (region_of(phone) for phone in phones) if region is not None)


def parse_regions(text: str | None) -> frozenset[str]:
    """Country codes typed with spaces or commas ("af, TR ir") as a set; InvalidInput naming
    `countries` for anything that is not a two-letter code of a country with telephones."""
    codes = [code.upper() for code in _SEPARATORS.split(text or "") if code]
    unknown = sorted({code for code in codes if not is_region(code)})
    if unknown:
        message = _(
            "Not a country code: %(codes)s. Use two-letter ISO 3166 codes, such as AF for Afghanistan.",
            codes=", ".join(unknown),
        )
        raise InvalidInput({"countries": message})
    return frozenset(codes)


def save_callable_countries(
    regions: Iterable[str], based_on: int | None, user: User, now: datetime
) -> CallableCountryList:
    """Save a new version of the list. Conflict when someone saved another version after
    `based_on` (the version the coordinator's form showed; None: the default)."""
    codes = frozenset(regions)
    unknown = sorted(code for code in codes if not is_region(code))
    if unknown:
        raise InvalidInput({"countries": _("Not a country code: %(codes)s.", codes=", ".join(unknown))})
    begin_write()
    newest = _newest_version()
    if (newest.id if newest is not None else None) != based_on:
        who = newest.saved_by.name if newest is not None and newest.saved_by is not None else _("Someone")
        db.session.rollback()
        raise Conflict(_("%(who)s changed the list meanwhile. Check it again, then save your changes.", who=who))
    version = CallableCountryList(regions=" ".join(sorted(codes)), saved_at=now, saved_by_id=user.id)
    db.session.add(version)
    previous = newest.codes if newest is not None else default_regions()
    details = {"added": _codes(codes - previous), "removed": _codes(previous - codes)}
    event = AuditEvent("setting.changed", "setting", CALLABLE_COUNTRIES_SETTING, details=details)
    record_audit(event, actor_of(user), current_origin(), now)
    db.session.commit()
    log.info("user %s saved the countries RRIS may call: %s", user.id, version.regions or "none")
    return version


@dataclass(frozen=True)
class ListChange:
    """One saved version as the page's history shows it: who, when, and what it added and
    removed; the first version replaced the default, so it shows its whole list as added."""

    saved_at: datetime
    saved_by: str | None
    added: tuple[str, ...]
    removed: tuple[str, ...]
    first: bool


def list_history(limit: int = HISTORY_SHOWN) -> list[ListChange]:
    """The newest saved versions first, each compared with the one before."""
    versions = list(db.session.scalars(select(CallableCountryList).order_by(CallableCountryList.id)))
    changes = []
    before: frozenset[str] = frozenset()
    for number, version in enumerate(versions):
        changes.append(
            ListChange(
                saved_at=version.saved_at,
                saved_by=version.saved_by.name if version.saved_by is not None else None,
                added=tuple(sorted(version.codes - before)),
                removed=tuple(sorted(before - version.codes)),
                first=number == 0,
            )
        )
        before = version.codes
    return changes[::-1][:limit]


def _codes(codes: frozenset[str]) -> str:
    """Country codes for an audit detail, cut to what a detail holds (a change rarely names so many)."""
    text = " ".join(sorted(codes))
    return text if len(text) <= DETAIL_VALUE_MAX_CHARS else text[: DETAIL_VALUE_MAX_CHARS - 1] + "…"


def _newest_version() -> CallableCountryList | None:
    return db.session.scalar(select(CallableCountryList).order_by(CallableCountryList.id.desc()).limit(1))
