"""Reading the audit trail: the reader's part of it (`rris.access.queries.scoping`), filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import audit_filter
from rris.accounts.models.accounts import User
from rris.audit.domain.trail_filter import PAGE_ROWS, TrailFilter, day_after
from rris.audit.models.entries import AuditEntry
from rris.common.domain.paging import clamp_page, page_count
from rris.extensions import db
from rris.pool.models.geography import Country
from rris.reports.domain.report_period import local_day_start


@dataclass(frozen=True)
class TrailRow:
    """An entry with what the page and the file show beside it: the actor's name and the country's code."""

    entry: AuditEntry
    actor_name: str | None
    country_code: str | None


@dataclass(frozen=True)
class TrailPage:
    """One page of the filtered trail, the newest first."""

    rows: list[TrailRow]
    total: int
    page: int
    pages: int


def filtered_rows(actor: Actor, trail_filter: TrailFilter, zone_name: str) -> Select[tuple[AuditEntry, str, str]]:
    """The entries the actor may read that match the filter (local days in `zone_name`), the newest
    first, with the actor's name and the country's code (None where the outer joins find none)."""
    return (
        select(AuditEntry, User.name, Country.code)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(Country, Country.id == AuditEntry.country_id)
        .where(audit_filter(actor), *_conditions(trail_filter, zone_name))
        .order_by(AuditEntry.id.desc())
    )


def trail_page(actor: Actor, trail_filter: TrailFilter, zone_name: str, page: int | None) -> TrailPage:
    """The `page`th page (from 1; clamped to those there are) of the filtered trail."""
    matching = filtered_rows(actor, trail_filter, zone_name)
    total = db.session.scalar(select(func.count()).select_from(matching.order_by(None).subquery())) or 0
    page = clamp_page(page, total, PAGE_ROWS)
    rows = db.session.execute(matching.limit(PAGE_ROWS).offset((page - 1) * PAGE_ROWS)).all()
    return TrailPage([TrailRow(*row) for row in rows], total, page, page_count(total, PAGE_ROWS))


def trail_rows(actor: Actor, trail_filter: TrailFilter, zone_name: str, limit: int) -> list[TrailRow]:
    """Up to `limit` entries of the filtered trail, the newest first (for the file)."""
    return [TrailRow(*row) for row in db.session.execute(filtered_rows(actor, trail_filter, zone_name).limit(limit))]


def actions_in_reach(actor: Actor) -> list[str]:
    """The actions the actor's part of the trail holds, for the filter's choices."""
    return list(
        db.session.scalars(select(AuditEntry.action).where(audit_filter(actor)).distinct().order_by(AuditEntry.action))
    )


def subject_types_in_reach(actor: Actor) -> list[str]:
    """The kinds of subject the actor's part of the trail holds, for the filter's choices."""
    statement = select(AuditEntry.subject_type).where(audit_filter(actor)).distinct().order_by(AuditEntry.subject_type)
    return list(db.session.scalars(statement))


def _conditions(trail_filter: TrailFilter, zone_name: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if trail_filter.first_day is not None:
        conditions.append(AuditEntry.at >= local_day_start(trail_filter.first_day, zone_name))
    if trail_filter.last_day is not None:
        conditions.append(AuditEntry.at < local_day_start(day_after(trail_filter.last_day), zone_name))
    if trail_filter.action:
        conditions.append(AuditEntry.action == trail_filter.action)
    if trail_filter.subject_type:
        conditions.append(AuditEntry.subject_type == trail_filter.subject_type)
    if trail_filter.subject_id:
        conditions.append(AuditEntry.subject_id == trail_filter.subject_id)
    if trail_filter.actor:
        conditions.append(_by_actor(trail_filter.actor))
    return conditions


def _by_actor(text: str) -> ColumnElement[bool]:
    """An account number, or part of a name or e-mail address (any case)."""
    if text.isdigit():
        return AuditEntry.actor_user_id == int(text)
    matching = select(User.id).where(
        User.name.icontains(text, autoescape=True) | User.email.icontains(text, autoescape=True)
    )
    return AuditEntry.actor_user_id.in_(matching)
