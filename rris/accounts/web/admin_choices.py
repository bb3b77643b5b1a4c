"""The choices account forms offer a viewer: roles they may give, offices within their reach."""

from __future__ import annotations

from sqlalchemy import select

from rris.access.domain.permissions import Actor, grantable_roles
from rris.access.queries.scoping import visible_departments
from rris.common.services.wording import label
from rris.common.web.presenting import country_name
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.geography import Country, Department


def role_choices(actor: Actor) -> list[tuple[str, str]]:
    """The roles the actor may give, as (value, label)."""
    return [(role.value, label(role)) for role in grantable_roles(actor)]


def department_choices(actor: Actor, open_only: bool) -> list[tuple[str, str]]:
    """Departments within the actor's reach as (id, "name (country)")."""
    statement = visible_departments(actor)
    if open_only:
        statement = statement.where(Department.active.is_(True))
    return [(str(d.id), f"{d.name} ({country_name(d.country)})") for d in db.session.scalars(statement)]


def country_choices(actor: Actor) -> list[tuple[str, str]]:
    """Countries a focal point may be given for: all for an admin, one's own for a focal point."""
    statement = select(Country).order_by(Country.name)
    if actor.role is not Role.ADMIN:
        statement = statement.where(Country.id == (actor.country_id or 0))
    return [(str(c.id), country_name(c)) for c in db.session.scalars(statement)]
