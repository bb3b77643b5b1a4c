"""The portal: pages and the JSON API on top of the core app."""

from __future__ import annotations

from flask import Flask

from rris.app import create_app
from rris.common.web.authentication import install_authentication
from rris.common.web.errors import register_error_handlers
from rris.common.web.extensions import csrf
from rris.common.web.ids import IdConverter
from rris.common.web.null_characters import install_null_character_check
from rris.common.web.page_locale import install_page_locale
from rris.common.web.presenting import register_presenters
from rris.common.web.rate_limits import install_rate_limits
from rris.common.web.security_headers import add_security_headers
from rris.notifications.integrations.mail import Mailer
from rris.notifications.integrations.sms import SmsSender
from rris.phone.integrations.telephony import Voice
from rris.settings import Settings
from rris.timeutil import Clock


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
    install_page_locale(app)
    register_error_handlers(app)
    install_null_character_check(app)
    register_presenters(app)
    app.after_request(add_security_headers)
    app.url_map.converters["id"] = IdConverter  # before any route that uses `<id:...>`

    from rris import api
    from rris.accounts.web import (
        account,
        accounts_admin,
        auth,
        authorities,
        language,
        second_factor,
        second_factor_setup,
    )
    from rris.audit.web import audit
    from rris.bookings.web import bookings
    from rris.calls.web import calls
    from rris.common.web import health
    from rris.desk.web import desk
    from rris.offers.web import interpreter
    from rris.ondemand.web import now
    from rris.phone.web import phone_countries, simulated_call, twilio
    from rris.pool.web import directory, interpreter_admin, pool_transfer
    from rris.reports.web import reports
    from rris.webhooks.web import endpoints as webhook_endpoints

    blueprints = (
        health.bp,
        auth.bp,
        second_factor.bp,
        second_factor_setup.bp,
        account.bp,
        language.bp,
        accounts_admin.bp,
        authorities.bp,
        directory.bp,
        pool_transfer.bp,
        interpreter_admin.bp,
        phone_countries.bp,
        simulated_call.bp,
        bookings.bp,
        desk.bp,
        reports.bp,
        audit.bp,
        interpreter.bp,
        calls.bp,
        now.bp,
        api.bp,
        twilio.bp,
        webhook_endpoints.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # Twilio cannot send a CSRF token; every one of its webhooks is verified by signature instead.
    csrf.exempt(twilio.bp)
    install_rate_limits(app, api.bp, app.extensions["rris.settings"], app.extensions["rris.clock"])
    return app
