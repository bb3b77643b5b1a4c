"""Where an account works (role and office) and reading an account to change it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.queries.scoping import NotVisible
from rris.accounts.models.accounts import User
from rris.common.domain.errors import Conflict, InvalidInput
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.geography import Country, Department


@dataclass(frozen=True)
class Placement:
    """A role and the office it needs: a department for a caseworker, a country for a focal point."""

    role: Role
    department_id: int | None = None
    country_id: int | None = None


def check_placement(placement: Placement) -> int | None:
    """The country the placement works for (None: the regional hub); InvalidInput names the missing office."""
    if placement.role is Role.CASEWORKER:
        department = db.session.get(Department, placement.department_id or 0)
        if department is None or not department.active:
            raise InvalidInput({"department_id": _("A caseworker belongs to an open department; choose one.")})
        return department.country_id
    if placement.role is Role.FOCAL_POINT:
        if db.session.get(Country, placement.country_id or 0) is None:
            raise InvalidInput({"country_id": _("A focal point acts for an existing country.")})
        return placement.country_id
    return None


def lock_account(user_id: int, version: int | None) -> User:
    """The account, freshly read and locked for this write (after `begin_write`); Conflict when it
    changed since the page showing `version` was read (None: any version)."""
    user = db.session.scalar(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )
    if user is None:
        raise NotVisible(f"User {user_id}")
    if version is not None and user.version != version:
        db.session.rollback()
        raise Conflict(
            _("Someone else changed %(name)s's account meanwhile. Reload the page and try again.", name=user.name)
        )
    return user


def awaits_password(user: User) -> bool:
    """True while the account has no password yet (invited, or added to the pool)."""
    return user.password_hash.startswith("!")


def other_active_admins(user_id: int) -> int:
    """How many active admins there are besides `user_id`, their rows locked until the commit."""
    ids = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user_id).with_for_update()
    ).all()
    return len(ids)
