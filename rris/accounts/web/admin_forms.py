"""Forms of account administration; the services check what matters, these carry the input."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in 3.3; the stubs are 3.2
from wtforms.validators import DataRequired, ValidationError

from rris.accounts.services.account_changes import MAX_REASON_CHARS
from rris.accounts.services.placement import Placement
from rris.common.domain.locales import interface_locales
from rris.common.web.forms import MaxChars
from rris.enums import Role


def _optional_id(raw: Any) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _reason(question: Any) -> TextAreaField:
    return TextAreaField(
        question,
        validators=[DataRequired(_l("Say why; the audit trail keeps the reason.")), MaxChars(MAX_REASON_CHARS)],
    )


class _PlacementFields(FlaskForm):
    """Role and the office it needs; the choices come from what the viewer may give."""

    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    department_id = SelectField(_l("Department (caseworkers)"), choices=[], validate_choice=False)
    country_id = SelectField(_l("Country (focal points)"), choices=[], validate_choice=False)

    def offer(
        self, roles: list[tuple[str, str]], departments: list[tuple[str, str]], countries: list[tuple[str, str]]
    ) -> None:
        """Fill the choices: (value, label) pairs."""
        self.offered_roles = frozenset(value for value, _name in roles)
        self.role.choices = [SelectChoice(value, name) for value, name in roles]
        self.department_id.choices = [SelectChoice(value, name) for value, name in [("", "—"), *departments]]
        self.country_id.choices = [SelectChoice(value, name) for value, name in [("", "—"), *countries]]

    def placement(self) -> Placement:
        """The placement the fields name (InvalidInput comes from the service)."""
        return Placement(
            role=Role(self.role.data),
            department_id=_optional_id(self.department_id.data),
            country_id=_optional_id(self.country_id.data),
        )

    def validate_role(self, field: SelectField) -> None:
        """Only a role on the list."""
        if field.data not in getattr(self, "offered_roles", frozenset()):
            raise ValidationError(_l("Choose a role from the list."))


class InviteForm(_PlacementFields):
    # No validators: the service names every bad field at once.
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail address"))
    locale = SelectField(_l("Language of the invitation"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = [SelectChoice("", str(_l("The language of their office (English for the hub)")))] + [
            SelectChoice(option.identifier, option.native_name, {"lang": option.tag, "dir": option.direction})
            for option in interface_locales()
        ]


class PlacementForm(_PlacementFields):
    reason = _reason(_l("Why does the role or office change?"))
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The account page also shows the deactivation's reason: one id each, the posted name kept.
        self.reason.id = self.reason.label.field_id = "placement-reason"


class DeactivateAccountForm(FlaskForm):
    reason = _reason(_l("Why may this person no longer sign in?"))
    version = HiddenField()


class ReactivateAccountForm(FlaskForm):
    reason = _reason(_l("Why may this person sign in again?"))
    version = HiddenField()


class VersionForm(FlaskForm):
    """A button on an account's page: the CSRF token and the version the page showed."""

    version = HiddenField()


def posted_version(form: Any) -> int:
    """The account version the page showed (0, never a real one, when missing)."""
    return _optional_id(form.version.data) or 0


class AuthorityForm(FlaskForm):
    authority = StringField(
        _l("Name of the authority"), validators=[DataRequired(_l("Enter the authority's name.")), MaxChars(200)]
    )


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the department's name.")), MaxChars(200)])
    city = StringField(_l("City"), validators=[DataRequired(_l("Enter the city.")), MaxChars(100)])
    timezone = StringField(_l("Time zone (empty: the country's)"))


class CloseDepartmentForm(FlaskForm):
    reason = _reason(_l("Why does the department close?"))
