"""What a caller may ask the JSON API's report for: the period and the narrowing the report page
offers, described once (it generates its part of `/api/v1/openapi.json`), then checked against
what the caller may see and read into a `ReportFilter`."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import ConfigDict, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import department_filter
from rris.common.domain.calendar_years import DAY_PATTERN, FIRST_YEAR, LAST_YEAR, MONTH_PATTERN
from rris.common.domain.errors import InvalidInput
from rris.common.domain.record_ids import MAX_ID
from rris.common.services.request_shapes import RecordId, RequestShape, always
from rris.enums import Modality, SessionKind
from rris.extensions import db
from rris.pool.models.geography import Country, Department
from rris.reports.domain.report_period import ReportFilter
from rris.reports.services.reporting import pinned_country

# Reports cover days of the years RRIS takes: the patterns say so, and the zones' arithmetic stays in range.
LONGEST_PERIOD_DAYS = 3 * 366


def _day(value: Any) -> date:
    if isinstance(value, str) and re.fullmatch(DAY_PATTERN, value, re.ASCII):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("day", "not a day from 2000 to 2099 like 2026-03-01")


def _enum(kind: type[SessionKind] | type[Modality], described: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": [member.value for member in kind], "description": described})


_DAY = Annotated[
    date | None,
    PlainValidator(_day, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "pattern": DAY_PATTERN, "description": "YYYY-MM-DD, with the other day"}),
    always(lambda: _("Give a day from %(first)d to %(last)d as YYYY-MM-DD.", first=FIRST_YEAR, last=LAST_YEAR)),
]


def _without_null_defaults(schema: dict[str, Any]) -> None:
    """Leave "not given" unsaid: a query string has no null to send."""
    for field in schema.get("properties", {}).values():
        if field.get("default", ...) is None:
            del field["default"]


class ReportQuery(RequestShape):
    """A report's period (a month, or a first and last day; this month when neither) and narrowing."""

    model_config = ConfigDict(frozen=True, json_schema_extra=_without_null_defaults)

    month: Annotated[
        str | None,
        PlainValidator(lambda value: _matching(value, MONTH_PATTERN), json_schema_input_type=str),
        WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "description": "YYYY-MM"}),
        always(lambda: _("Write the month as YYYY-MM, for example 2026-03.")),
    ] = None
    first_day: _DAY = None
    last_day: _DAY = None
    country: Annotated[
        str | None,
        PlainValidator(lambda value: _matching(value, "^[A-Z]{2}$"), json_schema_input_type=str),
        WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166 code"}),
        always(lambda: _("Give the country's two-letter code, for example RS.")),
    ] = None
    department: Annotated[
        RecordId | None,
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "A department's id"}),
        always(lambda: _("Choose one of your departments.")),
    ] = None
    language: Annotated[
        str | None,
        PlainValidator(lambda value: _matching(value, "^[a-z]{3}$"), json_schema_input_type=str),
        WithJsonSchema({"type": "string", "pattern": "^[a-z]{3}$", "description": "ISO 639-3 code"}),
        always(lambda: _("Give the language's three-letter ISO 639-3 code, for example pus.")),
    ] = None
    kind: Annotated[SessionKind | None, _enum(SessionKind, "The kind of session")] = None
    modality: Annotated[Modality | None, _enum(Modality, "Video or telephone")] = None

    def report_filter(self, actor: Actor, zone_name: str, today: date) -> ReportFilter:
        """The filter asked for, in `zone_name`; InvalidInput naming each field the caller may not ask."""
        errors: dict[str, str] = {}
        first, last = self.first_day, self.last_day
        if (first is None) != (last is None):
            errors["last_day" if last is None else "first_day"] = _("Give both the first and the last day, or neither.")
        elif first and last and last < first:
            errors["last_day"] = _("The last day comes before the first.")
        elif first and last and (last - first).days > LONGEST_PERIOD_DAYS:
            errors["last_day"] = _("A report covers at most three years.")
        pinned = pinned_country(actor)
        if self.country is not None and not db.session.scalar(select(Country.id).where(Country.code == self.country)):
            errors["country"] = _("RRIS has no country with this code.")
        elif self.country is not None and pinned is not None and self.country != pinned:
            errors["country"] = _("Your reports cover your own country only.")
        if self.department is not None and not _sees_department(actor, self.department):
            errors["department"] = _("Choose one of your departments.")
        if errors:
            raise InvalidInput(errors)
        narrowing: dict[str, Any] = {
            "country_code": self.country,
            "department_id": self.department,
            "language": self.language,
            "session_kind": self.kind,
            "modality": self.modality,
        }
        if first is not None and last is not None:
            return ReportFilter(first, last, zone_name, **narrowing)
        year, month = (int(part) for part in self.month.split("-")) if self.month else (today.year, today.month)
        return ReportFilter.month(year, month, zone_name, **narrowing)


def _matching(value: Any, pattern: str) -> str:
    if isinstance(value, str) and re.fullmatch(pattern, value, re.ASCII):
        return value
    raise PydanticCustomError("pattern", "does not match {pattern}", {"pattern": pattern})


def _sees_department(actor: Actor, department_id: int) -> bool:
    seen = select(Department.id).where(department_filter(actor), Department.id == department_id)
    return db.session.scalar(seen) is not None
