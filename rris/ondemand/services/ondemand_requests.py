"""What a caller may send to ask for an interpreter now or to switch "available now", described once.

Like the booking shapes (`rris.bookings.services.booking_requests`), each validates the API's
JSON body and the pages' form posts alike and generates its part of `/api/v1/openapi.json`.
What a shape cannot know (a language RRIS has, one of the caller's departments) `request_now`
checks.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from flask_babel import gettext as _
from pydantic import ConfigDict, Field, StringConstraints

from rris.bookings.services.booking_requests import APPLICANT_IDENTIFIER_MAX_CHARS, CaseReference
from rris.common.services.request_shapes import RecordId, RequestShape, always
from rris.enums import Gender, GenderRule, Modality, SessionKind, Specialisation
from rris.ondemand.services.requests import NowRequest

_LANGUAGE = Annotated[str, Field(description="ISO 639-3 code"), always(lambda: _("Choose a language."))]


class OnDemandRequest(RequestShape):
    """A request for an interpreter now as typed into the form or sent by a case system."""

    model_config = ConfigDict(extra="forbid")
    # Fields of a request that RRIS sets: named so the refusal says so rather than "unknown".
    set_by_rris: ClassVar[frozenset[str]] = frozenset(
        {"id", "booking_id", "state", "position", "expected_wait_seconds", "call_url", "requested_at"}
    )

    applicant_language: _LANGUAGE
    officer_language: _LANGUAGE
    case_reference: CaseReference
    session_kind: SessionKind = SessionKind.RECEPTION
    modality: Modality = Modality.VIDEO
    department_id: Annotated[
        RecordId | None,
        Field(description="One of the caller's departments; the caller's own when left out"),
        always(lambda: _("Give the id of one of your departments.")),
    ] = None
    dialect: Annotated[str, StringConstraints(strip_whitespace=True)] | None = None
    gender: Gender | None = None
    gender_rule: GenderRule = GenderRule.NONE
    specialisations: tuple[Specialisation, ...] = ()
    applicant_identifier: Annotated[
        str | None,
        Field(
            max_length=APPLICANT_IDENTIFIER_MAX_CHARS,
            repr=False,
            json_schema_extra={"writeOnly": True},
            description="Optional regional identifier of the applicant, as for a booking: RRIS keeps only a "
            "keyed hash, so the applicant's objections follow them into every country. Never returned.",
        ),
    ] = None
    wait: Annotated[
        bool,
        Field(
            description="Queue the request even when nobody reachable now could take it (the answer is then "
            "never none_available). A required gender is never relaxed either way."
        ),
    ] = False

    def wanted(self) -> NowRequest:
        """The request as `request_now` takes it."""
        return NowRequest(
            applicant_language=self.applicant_language,
            officer_language=self.officer_language,
            case_reference=self.case_reference,
            session_kind=self.session_kind,
            modality=self.modality,
            department_id=self.department_id,
            dialect=self.dialect or None,
            gender=self.gender,
            gender_rule=self.gender_rule,
            specialisations=frozenset(self.specialisations),
            applicant_identifier=self.applicant_identifier,
        )


class Availability(RequestShape):
    """An interpreter's "available now" switch."""

    model_config = ConfigDict(extra="forbid")

    available: Annotated[bool, Field(description="true: she may be rung now; false: she is not")]
