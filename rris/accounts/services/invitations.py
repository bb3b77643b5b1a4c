"""Inviting someone to RRIS: an account without a password and an e-mailed link to choose one.

The link is the password reset's (`rris.accounts.services.accounts.password_reset_token`),
signed for the account's current password hash: choosing a password voids it, and so does a
new invitation, which stores a new unusable hash. It works `RRIS_INVITATION_HOURS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.domain.permissions import may_give, may_manage_account
from rris.access.queries.actors import account_facts
from rris.accounts.models.accounts import User
from rris.accounts.services.account_audit import Acting, audit_account
from rris.accounts.services.accounts import ResetLinks, no_password, normalise_email, password_reset_token
from rris.accounts.services.placement import Placement, awaits_password, check_placement, lock_account
from rris.accounts.services.preferences import supported_locale, writing_to
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write
from rris.common.services.wording import label
from rris.enums import Role
from rris.extensions import db
from rris.notifications.integrations.mail import OutgoingMessage, current_mailer

MAX_NAME_CHARS = 120  # User.name


@dataclass(frozen=True)
class Invitation:
    """Who is invited, as what, and in which language the mail is written ("" for their office's)."""

    email: str
    name: str
    placement: Placement
    locale: str = ""


def invite(invitation: Invitation, acting: Acting, links: ResetLinks) -> int:
    """Open the account and e-mail its link; returns the account's id. InvalidInput names every bad field."""
    begin_write()
    errors: dict[str, str] = {}
    email, name, locale = "", "", None
    try:
        email = normalise_email(invitation.email)
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            errors["email"] = _("An account with this e-mail address exists already.")
    except InvalidInput as problem:
        errors.update(problem.errors)
    try:
        name = required_text(invitation.name, "name", _("Enter the person's name."), MAX_NAME_CHARS)
    except InvalidInput as problem:
        errors.update(problem.errors)
    try:
        locale = supported_locale(invitation.locale) if invitation.locale else None
    except InvalidInput as problem:
        errors.update(problem.errors)
    try:
        country_id = check_placement(invitation.placement)
    except InvalidInput as problem:
        errors.update(problem.errors)
        country_id = None
    if errors:
        db.session.rollback()
        raise InvalidInput(errors)
    if not may_give(acting.actor, invitation.placement.role, country_id):
        db.session.rollback()
        raise Forbidden(_("You may not give this role for this office."))
    placement = invitation.placement
    user = User(
        email=email,
        name=name,
        role=placement.role,
        department_id=placement.department_id if placement.role is Role.CASEWORKER else None,
        country_id=placement.country_id if placement.role is Role.FOCAL_POINT else None,
        locale=locale,
        password_hash=no_password(),
        active=True,
        sms_opt_in=False,
        created_at=acting.now,
        password_changed_at=acting.now,
        invited_at=acting.now,
        version=1,
    )
    db.session.add(user)
    db.session.flush()
    audit_account("account.invited", user, acting, details={"role": placement.role.value})
    db.session.commit()
    _send_invitation(user, acting, links)
    return user.id


def resend_invitation(user_id: int, version: int, acting: Acting, links: ResetLinks) -> None:
    """A new link for an account whose holder has not chosen a password yet; the last link stops working."""
    begin_write()
    user = lock_account(user_id, version)
    if not may_manage_account(acting.actor, account_facts(user)):
        db.session.rollback()
        raise Forbidden(_("You do not manage this account."))
    if not user.active:
        db.session.rollback()
        raise Conflict(_("The account is inactive; reactivate it first."))
    if not awaits_password(user):
        db.session.rollback()
        raise Conflict(_("%(name)s has chosen a password already.", name=user.name))
    user.password_hash = no_password()
    user.invited_at = acting.now
    user.version += 1
    audit_account("account.invitation_resent", user, acting)
    db.session.commit()
    _send_invitation(user, acting, links)


def _send_invitation(user: User, acting: Acting, links: ResetLinks) -> None:
    token = password_reset_token(user, acting.now, links)
    link = f"{links.public_url}/invitation/{token}"
    inviter = db.session.get_one(User, acting.actor.user_id)
    with writing_to(user) as reader:
        message = OutgoingMessage(
            to=(user.email,),
            subject=_("Your RRIS account"),
            text=_(
                "Hello %(name)s,\n\n%(inviter)s has opened an RRIS account for you, as %(role)s. "
                "Open this link within %(hours)d hours to choose your password:\n\n%(link)s\n\n"
                "The link works once. If you did not expect this message, ignore it.",
                name=user.name,
                inviter=inviter.name,
                role=label(user.role),
                hours=links.lifetime // timedelta(hours=1),
                link=link,
            ),
            language=reader.tag,
        )
    current_mailer().send(message)
