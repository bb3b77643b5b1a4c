"""The report's filter: a GET form (no CSRF: it changes nothing), read into a `ReportFilter`."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from rris.common.domain.calendar_years import MONTH_PATTERN
from rris.common.services.wording import label, language_name
from rris.common.web.forms import WithinYears
from rris.common.web.presenting import department_title, region_title
from rris.enums import Modality, SessionKind
from rris.extensions import db
from rris.pool.models.geography import Country, Department
from rris.reports.domain.report_period import ReportFilter

LONGEST_PERIOD_DAYS = 3 * 366


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    month = StringField(_l("Month"), validators=[Optional()], description=_l("YYYY-MM"))
    first_day = DateField(_l("From"), validators=[Optional(), WithinYears()])
    last_day = DateField(_l("To"), validators=[Optional(), WithinYears()])
    country = SelectField(_l("Country"), validators=[Optional()])
    department = SelectField(_l("Department"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    kind = SelectField(_l("Session"), validators=[Optional()])
    modality = SelectField(_l("Modality"), validators=[Optional()])

    def fill_choices(self, languages: list[str], departments: list[Department], country_code: str | None) -> None:
        """Choices from the database: the departments the viewer sees; a focal point's country
        is the only one offered."""
        codes = db.session.scalars(select(Country.code)).all()
        self.country.choices = [("", _l("All countries"))] * (country_code is None) + sorted(
            ((code, region_title(code)) for code in codes if country_code is None or code == country_code),
            key=lambda choice: choice[1],
        )
        self.department.choices = [("", _l("All departments"))] + [
            (str(department.id), department_title(department)) for department in departments
        ]
        self.language.choices = [("", _l("All languages"))] + sorted(
            ((code, language_name(code)) for code in languages), key=lambda choice: choice[1]
        )
        self.kind.choices = [("", _l("All sessions"))] + [(kind.value, label(kind)) for kind in SessionKind]
        self.modality.choices = [("", _l("Video and telephone"))] + [(m.value, label(m)) for m in Modality]

    def validate_month(self, field: StringField) -> None:
        if field.data and not re.match(MONTH_PATTERN, field.data.strip(), re.ASCII):
            raise ValidationError(_l("Write the month as YYYY-MM, for example 2026-03."))

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        first, last = self.first_day.data, self.last_day.data
        problem = None
        if (first is None) != (last is None) and not (self.first_day.errors or self.last_day.errors):
            problem = _l("Give both the first and the last day, or neither.")
        elif first and last and last < first:
            problem = _l("The last day comes before the first.")
        elif first and last and (last - first).days > LONGEST_PERIOD_DAYS:
            problem = _l("A report covers at most three years.")
        if problem is not None:
            self.last_day.errors = [*self.last_day.errors, problem]
            return False
        return valid

    def report_filter(self, zone_name: str, today: date) -> ReportFilter:
        """The filter the form describes; this month in `zone_name` when no period is given."""
        narrowing = {
            "country_code": self.country.data or None,
            "department_id": int(self.department.data) if self.department.data else None,
            "language": self.language.data or None,
            "session_kind": SessionKind(self.kind.data) if self.kind.data else None,
            "modality": Modality(self.modality.data) if self.modality.data else None,
        }
        if self.first_day.data and self.last_day.data:
            return ReportFilter(self.first_day.data, self.last_day.data, zone_name, **narrowing)  # type: ignore[arg-type]
        if self.month.data:
            year, month = (int(part) for part in self.month.data.strip().split("-"))
            return ReportFilter.month(year, month, zone_name, **narrowing)
        return ReportFilter.month(today.year, today.month, zone_name, **narrowing)
