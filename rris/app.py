"""The core application factory every process builds (portal, scheduler, CLI).

It binds the database, migrations and translations; the portal adds its pages on top
(`rris.portal.create_portal`). Nothing here runs at import time.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, has_request_context, request

from rris import tables  # noqa: F401  (registers the tables with the metadata)
from rris.common.domain.locales import SOURCE_LOCALE, best_accepted
from rris.common.models.types import include_in_comparison, render_migration_item
from rris.database import configure_engine, engine_options
from rris.extensions import babel, db, migrate
from rris.notifications.integrations.mail import Mailer, mailer_from_settings
from rris.notifications.integrations.sms import SmsSender, sms_sender_from_settings
from rris.phone.integrations.telephony import Voice, voice_from_settings
from rris.settings import PROJECT_ROOT, Settings
from rris.timeutil import Clock, SystemClock


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    *,
    sms_sender: SmsSender | None = None,
    voice: Voice | None = None,
) -> Flask:
    """Build the Flask application with the core extensions bound.

    `voice` places telephone calls; by default Twilio when configured, else none (simulated legs).
    """
    settings = settings or Settings.from_env()
    app = Flask(
        "rris",
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="rris_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "rris" / "translations"),
        TESTING=settings.env == "test",
    )
    app.extensions["rris.settings"] = settings
    app.extensions["rris.clock"] = clock or SystemClock()
    app.extensions["rris.mailer"] = mailer or mailer_from_settings(settings)
    app.extensions["rris.sms"] = sms_sender or sms_sender_from_settings(settings)
    app.extensions["rris.voice"] = voice or voice_from_settings(settings)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        render_item=render_migration_item,
        include_object=include_in_comparison,
    )
    babel.init_app(app, locale_selector=_select_locale)

    from rris.cli import register_commands

    register_commands(app)
    return app


def schema_is_current(app: Flask) -> bool:
    """True when the database is migrated to the newest revision the code knows."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with app.app_context(), db.engine.connect() as connection:
        scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(scripts.get_heads())


def _select_locale() -> str:
    """English outside requests (the scheduler, the CLI: messages force their recipient's locale);
    the browser's choice in one. The portal adds the person's own (`rris.common.web.page_locale`)."""
    if not has_request_context():
        return SOURCE_LOCALE
    return best_accepted(request.accept_languages) or SOURCE_LOCALE
