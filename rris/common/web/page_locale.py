"""Which language a portal answer speaks: the person's profile, the switcher's cookie, the
browser's Accept-Language, then English (the rule is `rris.common.domain.locales`).

Every answer says its language (`Content-Language`) and that it depends on Accept-Language.
"""

from __future__ import annotations

from datetime import timedelta

from babel import Locale
from flask import Flask, Response, has_request_context, request
from flask_babel import get_babel, get_locale, ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from rris.common.domain.locales import (
    SOURCE_LOCALE,
    InterfaceLocale,
    best_accepted,
    choose_locale,
    interface_locale,
    interface_locales,
)
from rris.common.services.wording import current_locale
from rris.common.web.authentication import authenticated_by_token
from rris.context import current_settings

LOCALE_COOKIE = "rris_locale"
LOCALE_COOKIE_LIFETIME = timedelta(days=365)
PLURAL_SAMPLES = 200  # every category of whole numbers of every CLDR locale occurs below 200


def install_page_locale(app: Flask) -> None:
    """Choose each request's locale from the person and the browser; name it on every answer."""
    get_babel(app).locale_selector = select_locale
    app.after_request(_say_the_language)
    app.jinja_env.globals.update(
        page_locale=page_locale,
        interface_locales=interface_locales,
        forward_arrow=forward_arrow,
        plural_forms=plural_forms,
        formats_tag=formats_tag,
    )


def select_locale() -> str:
    """The locale of this request. A case system's own Accept-Language comes before its owner's
    profile: the program asked for that language, its owner only chose for the pages."""
    if not has_request_context():  # a command or a job in the portal's app: messages force their own
        return SOURCE_LOCALE
    profile = current_user.locale if current_user.is_authenticated else None
    accepted = list(request.accept_languages)
    if authenticated_by_token():
        return best_accepted(accepted) or choose_locale(profile, None, ())
    return choose_locale(profile, request.cookies.get(LOCALE_COOKIE), accepted)


def page_locale() -> InterfaceLocale:
    """The interface locale this answer speaks (its `lang` tag and direction)."""
    known = interface_locale(str(get_locale()))
    return known or interface_locales()[0]


def forward_arrow() -> str:
    """An arrow from the first thing to the second ("Pashto → Serbian"), pointing the way the page reads."""
    return "←" if page_locale().right_to_left else "→"


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """A sentence about a count, for a script: its translation for each plural category of the
    page's locale ("one", "few", "other"...), which the script picks with Intl.PluralRules.
    Write the count as {count} (the script fills it in), never as %(num)d."""
    locale = get_locale() or Locale.parse(SOURCE_LOCALE)
    forms: dict[str, str] = {}
    for sample in range(PLURAL_SAMPLES):  # the first whole number of each category stands for it
        forms.setdefault(locale.plural_form(sample), ngettext(singular, plural, sample))
    return forms


def viewer_formatting_locale() -> str:
    """The locale this person's dates and numbers are formatted in (`current_locale` decides it)."""
    return str(current_locale())


def formats_tag() -> str:
    """`viewer_formatting_locale` as a BCP 47 tag ("en-150", "sr-Latn-ME"): the page hands it to its
    scripts (`<html data-formats>`), so a time a script writes reads like the ones the server wrote."""
    return viewer_formatting_locale().replace("_", "-")


def remember_locale(response: BaseResponse, identifier: str | None) -> None:
    """Keep the switcher's choice in this browser (None forgets it: the browser's languages decide)."""
    if identifier is None:
        response.delete_cookie(LOCALE_COOKIE, samesite="Lax")
        return
    response.set_cookie(
        LOCALE_COOKIE,
        identifier,
        max_age=int(LOCALE_COOKIE_LIFETIME.total_seconds()),
        secure=current_settings().secure_cookies,
        httponly=True,
        samesite="Lax",
    )


def _say_the_language(response: Response) -> Response:
    if request.endpoint == "static":
        return response  # a stylesheet or a script speaks no language
    response.headers.setdefault("Content-Language", page_locale().tag)
    response.vary.add("Accept-Language")
    return response


__all__ = [
    "LOCALE_COOKIE",
    "formats_tag",
    "forward_arrow",
    "plural_forms",
    "install_page_locale",
    "page_locale",
    "remember_locale",
    "select_locale",
    "viewer_formatting_locale",
]
