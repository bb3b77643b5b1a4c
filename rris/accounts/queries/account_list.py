"""The accounts list: the accounts one administers, narrowed by the list's filters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import managed_accounts
from rris.accounts.models.accounts import User
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.geography import Department

PAGE_SIZE = 200


@dataclass(frozen=True)
class AccountFilter:
    """What the list is narrowed to; None or "" for any."""

    role: Role | None = None
    country_id: int | None = None
    department_id: int | None = None
    active: bool | None = None
    search: str = ""


def filtered_accounts(actor: Actor, wanted: AccountFilter) -> list[User]:
    """The accounts the actor administers that match `wanted`, by name (at most PAGE_SIZE)."""
    statement: Select[tuple[User]] = managed_accounts(actor)
    if wanted.role is not None:
        statement = statement.where(User.role == wanted.role)
    if wanted.department_id is not None:
        statement = statement.where(User.department_id == wanted.department_id)
    if wanted.country_id is not None:
        in_country = select(Department.id).where(Department.country_id == wanted.country_id)
        statement = statement.where(or_(User.country_id == wanted.country_id, User.department_id.in_(in_country)))
    if wanted.active is not None:
        statement = statement.where(User.active.is_(wanted.active))
    if text := wanted.search.strip().lower():
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\")))
    loads = (selectinload(User.department).selectinload(Department.country), selectinload(User.country))
    return list(db.session.scalars(statement.options(*loads).limit(PAGE_SIZE)))
