"""People who sign in, their server-side sessions, API tokens and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.common.models.types import UTCDateTime, enum_type
from rris.enums import Role
from rris.extensions import Model

if TYPE_CHECKING:
    from rris.pool.models.geography import Country, Department
    from rris.pool.models.interpreters import InterpreterProfile


class User(Model):
    """A person with an account: caseworker, focal point, interpreter, coordinator or admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'caseworker' OR department_id IS NOT NULL", name="caseworker_has_department"),
        CheckConstraint("role <> 'focal_point' OR country_id IS NOT NULL", name="focal_point_has_country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"), index=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The interface locale the person chose (`rris.common.domain.locales`); None: their browser decides.
    locale: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the last invitation went out, until the invitee chooses a password.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Goes up with every change an administrator makes; forms post the version they showed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    department: Mapped[Department | None] = relationship()
    country: Mapped[Country | None] = relationship()
    interpreter_profile: Mapped[InterpreterProfile | None] = relationship(back_populates="user")

    @property
    def zone_name(self) -> str:
        """The zone this person's times are shown in."""
        # An interpreter lives by their profile's zone and a caseworker by their department's,
        # so what they see is what matching uses; `timezone` serves everyone else.
        if self.interpreter_profile is not None:
            return self.interpreter_profile.timezone
        if self.department is not None:
            return self.department.timezone
        if self.timezone:
            return self.timezone
        if self.country is not None:
            return self.country.timezone
        return "UTC"

    @property
    def home_country_id(self) -> int | None:
        """The country whose procedures this person works in (caseworkers and focal points)."""
        if self.department is not None:
            return self.department.country_id
        return self.country_id

    # The four members Flask-Login expects of a user object.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Model):
    """A signed-in browser. Revoking the row ends the session, whatever the cookie says."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class ApiToken(Model):
    """A personal token a national case system presents as `Authorization: Bearer`.

    Only a SHA-256 of the token is stored; the token is shown once, when created.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginAttempt(Model):
    """One sign-in attempt; counted per account and per address to throttle guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_ip_at", "ip_address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean)
