"""Forms of the coordinators' pool pages: adding and editing an interpreter, taking one out of
the pool and back in.

The forms carry what was typed; the services decide (`rris.pool.services.interpreter_records` by the
pool file's own rules, `rris.pool.services.pool_admin`), and their field errors come back onto the
same fields through `show_errors`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from rris.common.services.wording import label
from rris.common.web.forms import MaxChars
from rris.enums import Employment, Gender
from rris.pool.services.interpreter_records import ENTRY_FIELDS
from rris.pool.services.pool_admin import DEACTIVATION_REASON_MAX_CHARS

# The pool file's cells are checked by the service, so these fields have no rules of their own:
# a value WTForms refused would never reach the one rule that names the problem.
_LIST = {"rows": 4, "spellcheck": "false"}


def _gender_choices() -> list[tuple[str, str]]:
    return [("", ""), *((member.value, label(member)) for member in Gender)]


def _employment_choices() -> list[tuple[str, str]]:
    return [("", ""), *((member.value, label(member)) for member in Employment)]


class InterpreterForm(FlaskForm):
    """One interpreter; each field is named like the pool file's column it fills."""

    name = StringField(_l("Full name"))
    email = EmailField(_l("E-mail address"))
    phone = StringField(_l("Mobile number (optional)"), render_kw={"autocomplete": "off"})
    timezone = StringField(_l("Time zone"), render_kw={"placeholder": "Asia/Kabul"})
    gender = SelectField(_l("Gender"), choices=_gender_choices, validate_choice=False)
    employment = SelectField(_l("Employment"), choices=_employment_choices, validate_choice=False)
    language_pairs = TextAreaField(_l("Working pairs"), render_kw=_LIST)
    dialects = TextAreaField(_l("Dialects"), render_kw=_LIST)
    specialisations = TextAreaField(_l("Specialisations and training"), render_kw=_LIST)
    accreditations = TextAreaField(_l("Accreditations"), render_kw=_LIST)
    hourly_rate = StringField(_l("Hourly rate"), render_kw={"inputmode": "decimal"})
    currency = StringField(_l("Currency (ISO 4217)"), default="EUR")
    daily_cap_minutes = StringField(_l("Daily cap (minutes)"), default="360", render_kw={"inputmode": "numeric"})
    rest_gap_minutes = StringField(_l("Rest gap (minutes)"), default="15", render_kw={"inputmode": "numeric"})
    notes = TextAreaField(_l("Notes for coordinators"), render_kw={"rows": 3})

    def entry(self) -> dict[str, str]:
        """What was typed, by field name, for the service."""
        return {name: self[name].data or "" for name in ENTRY_FIELDS}


class DeactivateForm(FlaskForm):
    reason = TextAreaField(
        _l("Why does the interpreter leave the pool?"),
        validators=[
            DataRequired(_l("Say why the interpreter leaves the pool.")),
            MaxChars(DEACTIVATION_REASON_MAX_CHARS),
        ],
    )


class ReactivateForm(FlaskForm):
    """Only the CSRF token: bringing an interpreter back needs no other input."""
