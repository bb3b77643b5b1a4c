"""The language switcher in every page's header, for everyone, signed in or not, and the
profile's language form. Both work without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3; the stubs are 3.2

from rris.accounts.services.preferences import choose_interface_locale, supported_locale
from rris.common.domain.errors import InvalidInput
from rris.common.domain.locales import interface_locales
from rris.common.web.page_locale import remember_locale
from rris.common.web.redirects import same_site_path
from rris.context import current_clock

bp = Blueprint("language", __name__)


class LanguageForm(FlaskForm):
    """The profile's choice: one of the interface locales, or none (the browser's languages decide)."""

    locale = SelectField(_l("Language of RRIS"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, browser_choice: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = [SelectChoice("", browser_choice)] + [
            SelectChoice(option.identifier, option.native_name, {"lang": option.tag, "dir": option.direction})
            for option in interface_locales()
        ]


@bp.post("/language")
def switch() -> Any:
    """Speak the chosen language in this browser (and on the profile when signed in), then go
    back to the page the switcher was on. CSRFProtect has checked the form's token."""
    errors: dict[str, str] = {}
    try:
        chosen = supported_locale(request.form.get("locale"))
    except InvalidInput as refused:
        errors.update(refused.errors)
    back = request.form.get("next") or url_for("directory.home")
    if same_site_path(back) is None:
        errors["next"] = str(_l("The page to return to must be on this site."))
    if errors:
        raise InvalidInput(errors)
    if current_user.is_authenticated:
        choose_interface_locale(current_user, chosen, current_clock().now())
    response = redirect(back, code=303)
    remember_locale(response, chosen)
    return response
