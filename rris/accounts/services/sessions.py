"""Server-side sessions: a signed-in browser is a row; revoking it ends the session at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from rris.accounts.domain.secrets import digest, new_session_secret
from rris.accounts.models.accounts import User, UserSession
from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db

# Writing last_seen_at on every request would serialise all requests on SQLite.
LAST_SEEN_PRECISION = timedelta(minutes=1)


def start_session(user: User, now: datetime, ip_address: str | None, user_agent: str | None, lasts: timedelta) -> str:
    """Record a new signed-in browser for `user`, ending `lasts` from now; returns the cookie's secret."""
    secret = new_session_secret()
    user_id = user.id
    begin_write()
    user = db.session.get_one(User, user_id)
    db.session.add(
        UserSession(
            token_hash=digest(secret),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lasts,
            ip_address=(ip_address or "")[:64] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    user.last_login_at = now
    db.session.commit()
    return secret


def resume_session(secret: str | None, now: datetime, idle_limit: timedelta) -> User | None:
    """The active user of a live session, or None when it ended, expired or idled `idle_limit` out."""
    if not secret:
        return None
    record = db.session.scalar(select(UserSession).where(UserSession.token_hash == digest(secret)))
    if record is None or record.revoked_at is not None or now >= record.expires_at:
        return None
    record_id, idle_for, user = record.id, now - record.last_seen_at, record.user
    if idle_for >= idle_limit:
        _touch(record_id, revoked_at=now)
        return None
    if not user.active:
        return None
    if idle_for >= LAST_SEEN_PRECISION:
        _touch(record_id, last_seen_at=now)
    return user


def _touch(record_id: int, **values: datetime) -> None:
    # A write of its own after the read: SQLite cannot upgrade a read transaction safely.
    begin_write()
    db.session.execute(update(UserSession).where(UserSession.id == record_id).values(**values))
    db.session.commit()


def end_session(secret: str | None, now: datetime) -> None:
    """Sign out one browser."""
    if not secret:
        return
    begin_write()
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == digest(secret), UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()


def end_all_sessions(user_id: int, now: datetime, except_secret: str | None = None) -> int:
    """Sign out every browser of a user but the one named; the caller commits. Returns how many."""
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if except_secret:
        statement = statement.where(UserSession.token_hash != digest(except_secret))
    return rows_changed(statement.values(revoked_at=now))


def end_session_by_id(user_id: int, session_id: int, now: datetime) -> bool:
    """Sign out one of the user's own browsers from the profile page; False if not theirs."""
    begin_write()
    changed = rows_changed(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()
    return changed == 1


def live_sessions(user_id: int, now: datetime, idle_limit: timedelta) -> list[UserSession]:
    """The user's signed-in browsers not idle for `idle_limit`, newest first."""
    idle_since = now - idle_limit
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                UserSession.last_seen_at > idle_since,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def is_current(record: UserSession, secret: str | None) -> bool:
    """True when `record` is the session carried by `secret`."""
    return bool(secret) and record.token_hash == digest(secret or "")


def end_other_sessions(user_id: int, now: datetime, current_secret: str | None) -> int:
    """Sign out every other browser of the user (from the profile page); returns how many."""
    begin_write()
    count = end_all_sessions(user_id, now, except_secret=current_secret)
    db.session.commit()
    return count
