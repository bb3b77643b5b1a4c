"""Personal API tokens for national case systems (`Authorization: Bearer rris_...`)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from rris.access.domain.permissions import Capability, can
from rris.access.queries.actors import actor_of
from rris.accounts.domain.secrets import API_TOKEN_PREFIX, API_TOKEN_SHOWN_CHARS, digest, new_api_token
from rris.accounts.models.accounts import ApiToken, User
from rris.accounts.services.sessions import LAST_SEEN_PRECISION
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db

MAX_TOKEN_NAME_LENGTH = 100


def create_api_token(user: User, name: str, now: datetime, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the secret, which is never shown again."""
    if not can(actor_of(user), Capability.USE_API) or not user.active:
        raise Forbidden(_("This account may not use the API."))
    label = required_text(name, "name", _("Name the token after the system that will use it."), MAX_TOKEN_NAME_LENGTH)
    if expires_at is not None and expires_at <= now:
        raise InvalidInput({"expires_at": _("The expiry must lie in the future.")})
    secret = new_api_token()
    begin_write()
    token = ApiToken(
        user_id=user.id,
        name=label,
        prefix=secret[:API_TOKEN_SHOWN_CHARS],
        token_hash=digest(secret),
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def user_for_api_token(secret: str, now: datetime) -> User | None:
    """The active user behind a live token, or None."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and now >= token.expires_at:
        return None
    user = token.user
    if not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_SEEN_PRECISION:
        token_id = token.id
        begin_write()
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    return user


def revoke_api_token(user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of the user's own tokens; False when there is no such live token."""
    begin_write()
    changed = rows_changed(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()
    return changed == 1


def live_api_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc())
        )
    )
