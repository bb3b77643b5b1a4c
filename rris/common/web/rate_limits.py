"""Rate limits of the portal (Flask-Limiter over `limits`): the API per caller and per client
address, and the account pages that send mail or issue tokens per client address.

One `Limiter` per application, kept on the app (`app.extensions["rris.limiter"]`), so two apps
in one process (tests, the scheduler's app) never share its state; the counts themselves are
shared through the database (`rris-database://`, `rris.common.services.rate_limit_storage`) or
Redis, so every worker and host sees the same ones; while Redis is down, each process counts in
its own memory (`rris.common.services.rate_limit_failover`). Fixed windows: a window starts with its
first request. In the database, a request's limits (its caller's and its address's) are counted in
one write transaction (`CountingLimiter`), not one each. Sign-in has its own throttle
(`rris.accounts.domain.login_throttle`) and is not limited here.

Flask-Limiter would write the `RateLimit-*` and `Retry-After` headers itself, but it reads the
system's time for them; they are written here from the same limit with the app's clock, which
is the clock the database storage counts with (and a frozen one in tests).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from flask import Blueprint, Flask, Response, g
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from rris.common.services.rate_limit_failover import failover_uri
from rris.common.services.rate_limit_storage import DATABASE_STORAGE_URI, DatabaseStorage
from rris.common.web.authentication import authenticated_by_token, bearer_secret
from rris.common.web.errors import error_response
from rris.settings import Settings
from rris.timeutil import Clock

# Scopes of the API's two limits: each is one budget across every operation of `/api/v1`.
CALLER_SCOPE = "api-caller"
ADDRESS_SCOPE = "api-address"
# Pages that send mail or issue a credential, limited per client address (POST only).
# An endpoint added here must exist: a misspelt one fails at start-up.
ACCOUNT_ENDPOINTS = ("auth.forgot_password", "auth.reset", "auth.accept_invitation", "account.create_token")


class CountingLimiter(Limiter):
    """Flask-Limiter, counting all the limits of one check in one write transaction of the database.

    Flask-Limiter hits each limit that applies to a request by its own `incr`, which over the
    database would be a write transaction each (two for every API request); every check passes
    through `_check_request_limit`, the before-request hook and the decorators alike.
    """

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        with self._counting_together():
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _counting_together(self) -> AbstractContextManager[None]:
        storage = self.storage
        return storage.counting_together() if isinstance(storage, DatabaseStorage) else nullcontext()


def install_rate_limits(app: Flask, api: Blueprint, settings: Settings, clock: Clock) -> Limiter:
    """Limit the API blueprint `api` and the account pages of `app` (after their registration)."""
    if settings.trusted_proxies:
        # Only as many X-Forwarded-For entries as there are proxies of our own are believed,
        # counted from the right: what a client writes into the header itself stays to the left.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    if settings.rate_limit_storage == "database":
        storage_uri = DATABASE_STORAGE_URI
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"clock": clock}
    else:  # Redis, or this process's memory while Redis is down (`rate_limit_failover`)
        storage_uri = failover_uri(settings.rate_limit_storage)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"clock": clock}
    limiter = CountingLimiter(
        key_func=get_remote_address,
        storage_uri=storage_uri,
        strategy="fixed-window",
        headers_enabled=False,
        key_prefix="rris",
    )
    limiter.init_app(app)
    minute = "{} per minute"
    limiter.shared_limit(
        minute.format(settings.rate_limit_per_token), CALLER_SCOPE, key_func=_caller, exempt_when=_anonymous
    )(api)
    limiter.shared_limit(minute.format(settings.rate_limit_per_address), ADDRESS_SCOPE)(api)
    for endpoint in ACCOUNT_ENDPOINTS:
        page = limiter.limit(f"{settings.rate_limit_account_per_hour} per hour", methods=["POST"])
        view: Callable[..., Any] = app.view_functions[endpoint]
        app.view_functions[endpoint] = page(view)
    app.extensions["rris.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, lambda error: _too_many(limiter, clock, error))
    app.after_request(lambda response: _limit_headers(limiter, clock, response))
    return limiter


def _anonymous() -> bool:
    return not current_user.is_authenticated


def _caller() -> str:
    """The API token (by a digest: keys may sit in Redis), or the account of a browser session."""
    secret = bearer_secret()
    if authenticated_by_token() and secret:
        return "token:" + hashlib.sha256(secret.encode()).hexdigest()
    return f"account:{current_user.id}"


def _seconds_until(limit: RequestLimit, clock: Clock) -> int:
    # Never past the window's own length: Redis reports a key's time to live in whole seconds,
    # counted from its own clock, so its reset time may lie a fraction beyond ours.
    seconds = max(0, math.ceil(limit.window.reset_time - clock.now().timestamp()))
    return min(seconds, limit.limit.get_expiry())


def _too_many(limiter: Limiter, clock: Clock, error: RateLimitExceeded) -> Any:
    """429 in the form the client wants (problem+json for the API), saying which budget ran out."""
    breached = limiter.current_limit
    seconds = max(1, _seconds_until(breached, clock)) if breached else 60
    if error.limit.scope == CALLER_SCOPE and authenticated_by_token():
        detail = ngettext(
            "Too many requests with this API token. Try again in %(num)d second.",
            "Too many requests with this API token. Try again in %(num)d seconds.",
            seconds,
        )
    elif error.limit.scope == CALLER_SCOPE:
        detail = ngettext(
            "Too many requests from this account. Try again in %(num)d second.",
            "Too many requests from this account. Try again in %(num)d seconds.",
            seconds,
        )
    else:
        detail = ngettext(
            "Too many requests from this network address. Try again in %(num)d second.",
            "Too many requests from this network address. Try again in %(num)d seconds.",
            seconds,
        )
    g.rate_limit_retry_after = seconds
    return error_response(429, detail)


def _limit_headers(limiter: Limiter, clock: Clock, response: Response) -> Response:
    """`RateLimit-Limit`, `-Remaining` and `-Reset` (seconds) of the tightest limit; `Retry-After` on a 429."""
    current = limiter.current_limit
    if current is None:
        return response
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(current.remaining)
    response.headers["RateLimit-Reset"] = str(_seconds_until(current, clock))
    if current.breached:
        response.headers["Retry-After"] = str(g.get("rate_limit_retry_after") or _seconds_until(current, clock))
    return response
