"""Changing someone's account: role and office, deactivation and reactivation, ending their sessions.

Each change locks the account and checks the version its page showed, so of two people changing
the same account at once the second is told, not silently overruled. What raises or lowers
privileges needs a reason, which the audit trail keeps.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from rris.access.domain.permissions import may_change_role, may_give, may_manage_account
from rris.access.queries.actors import account_facts
from rris.accounts.models.accounts import User
from rris.accounts.services.account_audit import Acting, audit_account
from rris.accounts.services.placement import Placement, check_placement, lock_account, other_active_admins
from rris.accounts.services.sessions import end_all_sessions
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 500


def checked_reason(reason: str | None) -> str:
    """The reason given for a change of privileges; InvalidInput on `reason` when missing or too long."""
    return required_text(reason, "reason", _("Say why; the audit trail keeps the reason."), MAX_REASON_CHARS)


def change_placement(user_id: int, version: int, placement: Placement, reason: str | None, acting: Acting) -> None:
    """Give the account another role or office; the holder's sessions end so the change holds at once."""
    why = checked_reason(reason)
    begin_write()
    user = _managed(user_id, version, acting)
    if not may_change_role(acting.actor, account_facts(user)):
        db.session.rollback()
        raise Forbidden(_("You may not change this account's role."))
    try:
        country_id = check_placement(placement)
    except InvalidInput:
        db.session.rollback()
        raise
    if not may_give(acting.actor, placement.role, country_id):
        db.session.rollback()
        raise Forbidden(_("You may not give this role for this office."))
    before = (user.role, user.department_id, user.country_id)
    after = (
        placement.role,
        placement.department_id if placement.role is Role.CASEWORKER else None,
        placement.country_id if placement.role is Role.FOCAL_POINT else None,
    )
    if before == after:
        db.session.rollback()
        raise InvalidInput({"role": _("This is the account's role and office already.")})
    if user.role is Role.ADMIN and placement.role is not Role.ADMIN and user.active:
        _keep_an_admin(user)
    user.role, user.department_id, user.country_id = after
    user.version += 1
    end_all_sessions(user.id, acting.now)
    action = "account.role_changed" if before[0] is not after[0] else "account.department_changed"
    audit_account(action, user, acting, why, _placement_details(before, after))
    db.session.commit()
    log.info("account %s placed as %s by user %s", user.id, placement.role.value, acting.actor.user_id)


def deactivate(user_id: int, version: int, reason: str | None, acting: Acting) -> int:
    """Stop the account: no sign-in, its sessions end, its API tokens stop working. Returns the sessions ended."""
    why = checked_reason(reason)
    begin_write()
    user = _managed(user_id, version, acting)
    if not user.active:
        db.session.rollback()
        raise Conflict(_("%(name)s's account is inactive already.", name=user.name))
    profile = user.interpreter_profile
    if profile is not None and profile.active:
        db.session.rollback()
        raise Conflict(
            _("%(name)s is still in the interpreter pool: take them out of it on their page first.", name=user.name)
        )
    if user.role is Role.ADMIN:
        _keep_an_admin(user)
    user.active = False
    user.version += 1
    ended = end_all_sessions(user.id, acting.now)
    audit_account("account.deactivated", user, acting, why)
    db.session.commit()
    log.info("account %s deactivated by user %s; %d sessions ended", user.id, acting.actor.user_id, ended)
    return ended


def reactivate(user_id: int, version: int, reason: str | None, acting: Acting) -> None:
    """Let the account sign in again (its API tokens work again unless revoked or expired)."""
    why = checked_reason(reason)
    begin_write()
    user = _managed(user_id, version, acting)
    if user.active:
        db.session.rollback()
        raise Conflict(_("%(name)s's account is active already.", name=user.name))
    if user.department is not None and not user.department.active:
        db.session.rollback()
        raise Conflict(_("%(name)s's department is closed; move them to an open one first.", name=user.name))
    user.active = True
    user.version += 1
    audit_account("account.reactivated", user, acting, why)
    db.session.commit()


def end_sessions_of(user_id: int, acting: Acting) -> int:
    """Sign the account out of every browser; returns how many sessions ended."""
    begin_write()
    user = _managed(user_id, None, acting)
    ended = end_all_sessions(user.id, acting.now)
    audit_account("account.sessions_ended", user, acting, details={"sessions": str(ended)})
    db.session.commit()
    return ended


def _placement_details(
    before: tuple[Role, int | None, int | None], after: tuple[Role, int | None, int | None]
) -> dict[str, str]:
    details = {"from_role": before[0].value, "to_role": after[0].value}
    for name, old, new in (("department", before[1], after[1]), ("country", before[2], after[2])):
        if old != new:
            details[f"from_{name}"], details[f"to_{name}"] = str(old or ""), str(new or "")
    return details


def _managed(user_id: int, version: int | None, acting: Acting) -> User:
    user = lock_account(user_id, version)
    if not may_manage_account(acting.actor, account_facts(user)):
        db.session.rollback()
        raise Forbidden(_("You do not manage this account."))
    return user


def _keep_an_admin(user: User) -> None:
    if other_active_admins(user.id) == 0:
        db.session.rollback()
        raise Conflict(_("%(name)s is the last active admin; make someone else an admin first.", name=user.name))
