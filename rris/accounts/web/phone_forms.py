"""Forms of the profile's mobile phone section; the service checks the number and the code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from rris.common.web.forms import MaxChars


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        id="mobile-number",  # the profile's section is #phone, the anchor links and redirects go to
        validators=[DataRequired(_l("Enter a mobile number.")), MaxChars(40, message=_l("This is too long."))],
    )


class PhoneCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code.")), MaxChars(20, message=_l("This is too long."))],
    )


class SmsOptInForm(FlaskForm):
    sms_opt_in = BooleanField(_l("Send me reminders by SMS"))


class OnCallForm(FlaskForm):
    phone_on_call = BooleanField(_l("Call my phone when a call that cannot wait finds no interpreter"))


__all__ = ["OnCallForm", "PhoneCodeForm", "PhoneForm", "SmsOptInForm"]
