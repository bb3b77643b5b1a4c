"""The forms of the second factor: a code at sign-in, confirming an app, an admin's reset."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired

from rris.common.web.forms import MaxChars


class SecondStepForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code from your app, or a recovery code."))])


class ConfirmAppForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(_l("Enter the six digits the app shows."))])


class ResetSecondFactorForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Say why the second factor is reset.")), MaxChars(500)]
    )
    next = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The account's page also holds the placement's and deactivation's reasons: one id each.
        self.reason.id = self.reason.label.field_id = "second-factor-reason"
