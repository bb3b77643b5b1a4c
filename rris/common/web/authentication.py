"""Who is asking: the session cookie (browsers) or a Bearer token (national case systems).

The cookie carries a session secret; the database row decides whether it is still alive,
so signing out, a password change or a revocation ends it everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Request, abort, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from rris.access.domain.permissions import Actor, Capability, can, second_factor_required
from rris.access.queries.actors import actor_of
from rris.accounts.domain.second_factor import PENDING_SIGN_IN
from rris.accounts.models.accounts import User
from rris.accounts.services.api_tokens import user_for_api_token
from rris.accounts.services.second_factor import has_second_factor
from rris.accounts.services.sessions import end_session, resume_session, start_session
from rris.common.web.errors import problem, wants_json
from rris.common.web.extensions import login_manager
from rris.context import current_clock, current_settings

SESSION_SECRET_KEY = "sid"  # noqa: S105 (the session key's name, not a secret)
PENDING_KEY = "second_step"  # who gave the right password and still owes the second factor, until when
# What a person who must enrol may still reach: the enrolment itself, signing out, assets.
_OPEN_TO_UNENROLLED = frozenset({"static", "auth.logout", "language.switch", "health.healthz"})
_RESET = "second_factor_setup.reset"  # someone else's factor: not before one's own is set up
F = TypeVar("F", bound=Callable[..., Any])


def install_authentication(app: Flask) -> None:
    """Bind Flask-Login to RRIS sessions and API tokens."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our own server-side sessions do this job
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_bearer)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_enrolment_first)


def sign_in(user: User) -> None:
    """Start a fresh server-side session for `user` in this browser."""
    session.clear()  # a new session id on every sign-in: no fixation
    secret = start_session(
        user, current_clock().now(), request.remote_addr, request.user_agent.string, current_settings().session_length
    )
    session[SESSION_SECRET_KEY] = secret
    session.permanent = True
    login_user(user, remember=False)


def begin_second_step(user: User, then: str | None) -> None:
    """Remember, for a few minutes, that `user` gave the right password; nothing is open to them yet."""
    session.clear()
    until = current_clock().now() + PENDING_SIGN_IN
    session[PENDING_KEY] = {"user_id": user.id, "until": until.isoformat(), "then": then or ""}


def second_step_user_id() -> int | None:
    """The account whose password was given in this browser and whose second step is due, if any."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        until = datetime.fromisoformat(str(pending["until"]))
        user_id = int(pending["user_id"])
    except (KeyError, TypeError, ValueError):
        return None
    return user_id if current_clock().now() < until else None


def second_step_then() -> str | None:
    """Where the person was going before signing in."""
    pending = session.get(PENDING_KEY)
    return str(pending.get("then") or "") or None if isinstance(pending, dict) else None


def sign_out() -> None:
    """End this browser's session on the server and forget the cookie."""
    end_session(session.get(SESSION_SECRET_KEY), current_clock().now())
    logout_user()
    session.clear()


def current_session_secret() -> str | None:
    """The secret of this browser's session (None for API-token requests)."""
    return session.get(SESSION_SECRET_KEY)


def authenticated_by_token() -> bool:
    """True when this request was authenticated with a Bearer token."""
    return bool(g.get("authenticated_by_token"))


def current_actor() -> Actor:
    """The signed-in person as the permission rules see them."""
    if "actor" not in g:
        g.actor = actor_of(current_user)
    return g.actor


def require(capability: Capability) -> Callable[[F], F]:
    """View decorator: sign-in required, and 403 unless the role grants `capability`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_actor(), capability):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def _load_from_session(user_id: str) -> User | None:
    user = resume_session(session.get(SESSION_SECRET_KEY), current_clock().now(), current_settings().session_idle)
    if user is None or str(user.id) != user_id:
        return None
    return user


def bearer_secret(incoming: Request | None = None) -> str | None:
    """The secret sent as `Authorization: Bearer ...` (checked or not), or None."""
    scheme, _, secret = (incoming or request).headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _load_from_bearer(incoming: Request) -> User | None:
    secret = bearer_secret(incoming)
    if secret is None:
        return None
    user = user_for_api_token(secret, current_clock().now())
    if user is not None:
        g.authenticated_by_token = True
    return user


def _enrolment_first() -> Any:
    # A role that needs a second factor gets nothing else until it has one (API tokens are
    # exempt: they are issued from the profile and carry no browser session).
    endpoint = request.endpoint or ""
    if endpoint in _OPEN_TO_UNENROLLED or (endpoint.startswith("second_factor_setup.") and endpoint != _RESET):
        return None
    if not current_user.is_authenticated or authenticated_by_token():
        return None
    if not second_factor_required(current_user.role) or has_second_factor(current_user.id):
        return None
    if wants_json():
        detail = _l("Set up a second factor before anything else, on the second-factor page of your account.")
        return problem(403, detail=str(detail))
    return redirect(url_for("second_factor_setup.manage"))


def _unauthorized() -> Any:
    if wants_json():
        response = problem(401, detail=str(_l("Sign in, or send a valid API token as 'Authorization: Bearer'.")))
        response.headers["WWW-Authenticate"] = 'Bearer realm="rris"'
        return response
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
