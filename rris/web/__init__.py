"""The portal: pages and the JSON API on top of the core app."""

from __future__ import annotations

from flask import Flask, Response

from rris.app import create_app
from rris.integrations.mail import Mailer
from rris.integrations.sms import SmsSender
from rris.integrations.telephony import Voice
from rris.settings import Settings
from rris.timeutil import Clock
from rris.web.authentication import install_authentication
from rris.web.errors import register_error_handlers
from rris.web.extensions import csrf
from rris.web.ids import IdConverter
from rris.web.presenting import register_presenters

# Our pages load nothing from elsewhere; media permissions come with the call page later.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_portal(
    settings: Settings | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    *,
    sms_sender: SmsSender | None = None,
    voice: Voice | None = None,
) -> Flask:
    """The portal application: core app plus authentication, pages and API."""
    app = create_app(settings, clock, mailer, sms_sender=sms_sender, voice=voice)
    csrf.init_app(app)
    install_authentication(app)
    register_error_handlers(app)
    register_presenters(app)
    app.after_request(_security_headers)
    app.url_map.converters["id"] = IdConverter  # before any route that uses `<id:...>`

    from rris.web import (
        account,
        api,
        auth,
        bookings,
        calls,
        desk,
        directory,
        health,
        interpreter,
        interpreter_admin,
        phone_countries,
        pool_transfer,
        reports,
        twilio,
    )

    blueprints = (
        health.bp,
        auth.bp,
        account.bp,
        directory.bp,
        pool_transfer.bp,
        interpreter_admin.bp,
        phone_countries.bp,
        bookings.bp,
        desk.bp,
        reports.bp,
        interpreter.bp,
        calls.bp,
        api.bp,
        twilio.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # Twilio cannot send a CSRF token; every one of its webhooks is verified by signature instead.
    csrf.exempt(twilio.bp)
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
