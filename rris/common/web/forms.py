"""Forms of the portal. Flask-WTF adds the CSRF token to each; services do the real checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, Field, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import Select

from rris.common.domain.calendar_years import FIRST_YEAR, LAST_YEAR, within_years
from rris.common.domain.errors import InvalidInput

T = TypeVar("T")


class LongSelect(Select):
    """A select of many plain options (every interpreter of the pool): each option written in one
    step, where wtforms builds every option's attributes one by one (a third of a second for 2,000)."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:  # type: ignore[override]  # stubs predate 3.2
        """One `<option>`, as wtforms writes it."""
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        value, label = escape(choice.value), escape(choice.label or choice.value)  # Markup.format: 6x slower
        return Markup(f'<option{selected} value="{value}">{label}</option>')  # noqa: S704 (both escaped above)


class MaxChars(Length):
    """At most `most` characters, checked on the server only. No `maxlength` on the page: a
    browser cuts pasted text there without a word; the person is told and shortens it instead."""

    def __init__(self, most: int, message: str | None = None) -> None:
        super().__init__(max=most, message=message or _l("Use at most %(max)d characters; this has %(length)d."))
        self.field_flags = {}


class WithinYears:
    """A date or date-time field's value lies in the years RRIS takes (`calendar_years`), so no
    zone's arithmetic overflows on it; the field is told when it does not."""

    def __init__(self, with_time: bool = False) -> None:
        self.with_time = with_time

    def __call__(self, form: FlaskForm, field: Field) -> None:
        value: Any = field.data
        if isinstance(value, date) and not within_years(value):
            if self.with_time:
                message = _l(
                    "Give a date and time from %(first)d to %(last)d, like 2026-03-02 09:00.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            else:
                message = _l("Give a day from %(first)d to %(last)d as YYYY-MM-DD.", first=FIRST_YEAR, last=LAST_YEAR)
            raise StopValidation(str(message))


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address."))])


def _new_password() -> PasswordField:
    return PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password."))])


def _new_password_again(new_password_field: str) -> PasswordField:
    return PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo(new_password_field, _l("The two entries differ.")),
        ],
    )


class ResetPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _new_password_again("password")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = _new_password()
    confirm = _new_password_again("new_password")


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name (the system that will use it)"),
        validators=[DataRequired(_l("Name the token.")), MaxChars(100)],
    )
    expires_in_days = IntegerField(
        _l("Expires after (days, empty for never)"),
        validators=[Optional(), NumberRange(min=1, max=730, message=_l("Choose between 1 and 730 days."))],
    )


class CallNameForm(FlaskForm):
    # No length validator here: the service says how long the name is and what the most is.
    call_name = StringField(_l("Your name in calls"))


class ConfirmForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


def show_errors(form: FlaskForm, problem: InvalidInput) -> None:
    """Put a service's field errors next to the matching fields (or on the form)."""
    for name, message in problem.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """A posted form its use case accepted; `result` is what the use case returned."""

    result: T


def run_form(form: FlaskForm, use_case: Callable[[], T]) -> Accepted[T] | None:
    """Run `use_case` when `form` is posted and valid. None when the form or the use case refuses it:
    the reasons then stand next to the form's fields. Errors other than InvalidInput pass through."""
    if not form.validate_on_submit():
        return None
    try:
        return Accepted(use_case())
    except InvalidInput as problem:
        show_errors(form, problem)
        return None


__all__ = [
    "Accepted",
    "ApiTokenForm",
    "CallNameForm",
    "ChangePasswordForm",
    "ConfirmForm",
    "MaxChars",
    "ForgotPasswordForm",
    "ResetPasswordForm",
    "SignInForm",
    "run_form",
    "show_errors",
]
