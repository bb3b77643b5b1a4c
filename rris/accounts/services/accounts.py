"""Accounts: creating people, changing and resetting passwords."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from rris.accounts.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordProblem, password_problems
from rris.accounts.integrations.passwords import hash_password, verify_password
from rris.accounts.models.accounts import User
from rris.accounts.services.preferences import writing_to
from rris.accounts.services.sessions import end_all_sessions
from rris.common.domain.errors import InvalidInput
from rris.common.services.text_input import too_long
from rris.common.services.transactions import begin_write
from rris.enums import Role
from rris.extensions import db
from rris.notifications.integrations.mail import OutgoingMessage, current_mailer
from rris.pool.models.geography import Country, Department
from rris.settings import Settings
from rris.timeutil import is_valid_zone

log = logging.getLogger(__name__)

_RESET_SALT = "rris.password-reset"


@dataclass(frozen=True)
class ResetLinks:
    """How password reset links are signed, how long they work and which portal they open."""

    secret_key: str = field(repr=False)
    lifetime: timedelta
    public_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ResetLinks:
        """The reset links of these settings."""
        return cls(settings.secret_key, timedelta(minutes=settings.password_reset_minutes), settings.public_url)

    @classmethod
    def for_invitations(cls, settings: Settings) -> ResetLinks:
        """The same links for a new account's first password: they work `invitation_hours`."""
        return cls(settings.secret_key, timedelta(hours=settings.invitation_hours), settings.public_url)


def normalise_email(raw: str, field: str = "email") -> str:
    """The address in canonical form (trimmed, lower-case), or InvalidInput naming `field`."""
    candidate = (raw or "").strip()
    if not candidate:
        raise InvalidInput({field: _("Enter an e-mail address.")})
    try:
        checked = validate_email(candidate, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise InvalidInput({field: _("Enter a valid e-mail address, like name@example.org.")}) from None
    return checked.normalized.lower()


def check_password(password: str, email: str, field: str = "password") -> None:
    """Raise InvalidInput naming `field` when the password is not acceptable."""
    problems = password_problems(password, email)
    if not problems:
        return
    messages = {
        PasswordProblem.TOO_SHORT: ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_PASSWORD_LENGTH
        ),
        PasswordProblem.TOO_LONG: too_long(MAX_PASSWORD_LENGTH),
        PasswordProblem.CONTAINS_EMAIL: _("Do not use your e-mail address in the password."),
        PasswordProblem.ONE_CHARACTER: _("Use more than one distinct character."),
    }
    raise InvalidInput({field: " ".join(messages[problem] for problem in problems)})


@dataclass(frozen=True)
class NewAccount:
    """What it takes to open an account."""

    email: str
    name: str
    password: str
    role: Role
    department_id: int | None = None
    country_id: int | None = None
    timezone: str | None = None


def create_user(account: NewAccount, now: datetime) -> User:
    """Validate and store a new account; InvalidInput names every bad field."""
    begin_write()
    errors: dict[str, str] = {}
    email = ""
    try:
        email = normalise_email(account.email)
    except InvalidInput as problem:
        errors.update(problem.errors)
    if not account.name.strip():
        errors["name"] = _("Enter the person's name.")
    try:
        check_password(account.password, email)
    except InvalidInput as problem:
        errors.update(problem.errors)
    if account.role is Role.CASEWORKER and db.session.get(Department, account.department_id or 0) is None:
        errors["department_id"] = _("A caseworker belongs to an existing department.")
    if account.role is Role.FOCAL_POINT and db.session.get(Country, account.country_id or 0) is None:
        errors["country_id"] = _("A focal point acts for an existing country.")
    if account.timezone and not is_valid_zone(account.timezone):
        errors["timezone"] = _("Choose a time zone from the list, like Europe/Belgrade.")
    if email and db.session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = _("An account with this e-mail address exists already.")
    if errors:
        raise InvalidInput(errors)
    user = User(
        email=email,
        name=account.name.strip(),
        password_hash=hash_password(account.password),
        role=account.role,
        department_id=account.department_id if account.role is Role.CASEWORKER else None,
        country_id=account.country_id if account.role is Role.FOCAL_POINT else None,
        timezone=account.timezone or None,
        created_at=now,
        password_changed_at=now,
    )
    db.session.add(user)
    db.session.commit()
    return user


def change_password(
    user: User, current_password: str, new_password: str, now: datetime, keep_session: str | None
) -> None:
    """Change the password after checking the current one; every other session ends."""
    user_id = user.id
    begin_write()
    user = db.session.get_one(User, user_id)
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput({"current_password": _("This is not your current password.")})
    check_password(new_password, user.email, field="new_password")
    _store_password(user, new_password, now)
    end_all_sessions(user.id, now, except_secret=keep_session)
    db.session.commit()


def request_password_reset(raw_email: str, now: datetime, links: ResetLinks) -> None:
    """E-mail a reset link if the account exists; the caller says the same thing either way."""
    email = normalise_email(raw_email)
    user = db.session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    if user is None:
        log.info("password reset asked for an unknown or inactive address")
        return
    token = password_reset_token(user, now, links)
    link = f"{links.public_url}/password/reset/{token}"
    # In the account holder's language: whoever typed the address, their browser's is not theirs.
    with writing_to(user) as reader:
        message = OutgoingMessage(
            to=(user.email,),
            subject=_("Reset your RRIS password"),
            text=_(
                "Hello %(name)s,\n\nsomeone (we hope you) asked to reset your RRIS password. "
                "Open this link within %(minutes)d minutes to choose a new one:\n\n%(link)s\n\n"
                "If you did not ask for this, ignore this message; your password stays as it is.",
                name=user.name,
                minutes=links.lifetime // timedelta(minutes=1),
                link=link,
            ),
            language=reader.tag,
        )
    current_mailer().send(message)


def password_reset_token(user: User, now: datetime, links: ResetLinks) -> str:
    """A signed token for `user`, valid for the links' lifetime and only until the password changes."""
    expires = now + links.lifetime
    payload = {"user": user.id, "password": _password_fingerprint(user), "expires": int(expires.timestamp())}
    return URLSafeSerializer(links.secret_key, salt=_RESET_SALT).dumps(payload)


def user_for_reset_token(token: str, now: datetime, secret_key: str) -> User:
    """The account a reset token is for; InvalidInput when forged, used or expired."""
    invalid = InvalidInput({"token": _("This reset link is invalid or has expired. Ask for a new one.")})
    try:
        payload = URLSafeSerializer(secret_key, salt=_RESET_SALT).loads(token)
    except BadSignature:
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("expires", 0) < now.timestamp():
        raise invalid
    user = db.session.get(User, payload.get("user", 0))
    if user is None or not user.active or payload.get("password") != _password_fingerprint(user):
        raise invalid
    return user


def reset_password(token: str, new_password: str, now: datetime, secret_key: str) -> User:
    """Set a new password from a reset link signed with `secret_key`; the link stops working, sessions end."""
    begin_write()
    user = user_for_reset_token(token, now, secret_key)
    check_password(new_password, user.email)
    _store_password(user, new_password, now)
    end_all_sessions(user.id, now)
    db.session.commit()
    return user


def _store_password(user: User, password: str, now: datetime) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.invited_at = None  # an invitation is accepted by choosing a password


def no_password() -> str:
    """A password hash no password matches, different every time: a link signed for the last one
    (`password_reset_token`) stops working when a new one is stored."""
    # "!" never comes out of argon2, so no password matches until one is set through a link.
    return "!" + secrets.token_urlsafe(32)


def _password_fingerprint(user: User) -> str:
    # Changes with every new password, which makes a reset link single-use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
