"""The exact shapes of what `/api/v1` answers, as OpenAPI 3.1 (JSON Schema 2020-12) schemas.

Each object lists every field its serializer always writes as `required` and allows nothing
else (`additionalProperties: false`), so a response that loses a field, gains one or changes a
type fails schemathesis's schema check. States and kinds are generated from the Python enums,
so a new member cannot be answered before the document knows it. Nullable fields use 3.1
type lists (`["string", "null"]`). The serializers are `booking_json`, `serializers` and
`rris.common.web.errors.problem`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from rris.bookings.domain.booking_states import BookingAction
from rris.common.domain.record_ids import MAX_ID
from rris.enums import (
    BookingState,
    Employment,
    Gender,
    GenderRule,
    Modality,
    OfferState,
    Proficiency,
    Role,
    SessionKind,
    Specialisation,
    Weekday,
)
from rris.matching.domain.ranking import ScoreBasis
from rris.matching.domain.rules import RejectionReason
from rris.pool.domain.languages import RELAY_LANGUAGE

Schema = dict[str, Any]

_LOCAL_MINUTE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$"


def _values(enum: type[Enum]) -> list[Any]:
    return [member.value for member in enum]


def one_of(enum: type[Enum], nullable: bool = False) -> Schema:
    """A string that is one of the enum's values (or null when `nullable`)."""
    if nullable:
        return {"type": ["string", "null"], "enum": [*_values(enum), None]}
    return {"type": "string", "enum": _values(enum)}


def exact(properties: Schema, optional: tuple[str, ...] = (), description: str = "") -> Schema:
    """An object with exactly these fields, all of them always sent except those in `optional`."""
    schema: Schema = {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def list_of(name: str) -> Schema:
    """The `{"items": [...]}` envelope every collection is answered in."""
    return exact({"items": array(ref(name))})


def array(items: Schema) -> Schema:
    """A list of `items`."""
    return {"type": "array", "items": items}


def ref(name: str) -> Schema:
    """A reference to the component schema `name`."""
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


_ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_TEXT: Schema = {"type": "string"}
_COUNT: Schema = {"type": "integer", "minimum": 0}
_INSTANT: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC"}
_DAY: Schema = {"type": "string", "format": "date"}
_LOCAL: Schema = {
    "type": "string",
    "pattern": _LOCAL_MINUTE_PATTERN,
    "description": "Wall-clock time, YYYY-MM-DDTHH:MM",
}
_ZONE: Schema = {"type": "string", "minLength": 1, "description": "IANA time zone"}
_LANGUAGE_CODE: Schema = {"type": "string", "pattern": "^[a-z]{3}$", "description": "ISO 639-3 code"}
_COUNTRY_CODE: Schema = {"type": "string", "pattern": "^[A-Z]{2}$"}
_MINUTES: Schema = {"type": "integer", "minimum": 1}
_LEG: Schema = {"type": "integer", "enum": [1, 2]}
_SPECIALISATIONS = array(one_of(Specialisation))
_CASE_ONLY = (
    "null for an interpreter, except from her confirmation until the session's end plus RRIS_CASE_DETAILS_HOURS "
    "(`rris.access.domain.case_access`)"
)

_REASON_VALUES: Schema = {
    "type": "object",
    "additionalProperties": {"type": ["string", "integer"]},
    "description": "The values the reason is worded from, by name, for machines: language codes "
    "(ISO 639-3), counts of minutes, ids, dates (YYYY-MM-DD) and instants (ISO 8601, UTC), IANA time "
    "zones. The names depend on the code and are stable with it.",
}
_REASON_TEXT: Schema = {
    **_TEXT,
    "description": "The sentence for people, in the language Accept-Language asks for, dates and "
    "durations as that language writes them; its wording may change, the code and values do not.",
}


_BOOKING: Schema = exact(
    {
        "id": _ID,
        "code": _TEXT,
        "state": one_of(BookingState),
        "department": exact({"id": _ID, "name": _TEXT, "city": _TEXT, "timezone": _ZONE}),
        "country": _COUNTRY_CODE,
        "applicant_language": _LANGUAGE_CODE,
        "officer_language": _LANGUAGE_CODE,
        "dialect": {"type": ["string", "null"]},
        "session_kind": one_of(SessionKind),
        "modality": one_of(Modality),
        "starts_at": _INSTANT,
        "ends_at": _INSTANT,
        "start_local": {**_LOCAL, "description": "Wall-clock start in the department's zone, YYYY-MM-DDTHH:MM"},
        "duration_minutes": _MINUTES,
        "case_reference": {"type": ["string", "null"], "description": _CASE_ONLY},
        "notes": {"type": ["string", "null"], "description": f"Notes to the interpreter; {_CASE_ONLY}"},
        "gender": one_of(Gender, nullable=True),
        "gender_rule": one_of(GenderRule),
        "specialisations": _SPECIALISATIONS,
        "continuity": {"type": "boolean"},
        "regional_applicant_key": {
            "type": "boolean",
            "readOnly": True,
            "description": "Whether a regional applicant identifier was given (the identifier is never returned)",
        },
        "relay": {"type": "boolean"},
        "interpreters": array(exact({"leg": _LEG, "id": _ID, "name": _TEXT})),
        "cancelled_at": _nullable(_INSTANT),
        "cancelled_late": {"type": "boolean"},
        "version": {"type": "integer", "minimum": 1},
        "conflicts": array(
            exact(
                {
                    "interpreter_id": _ID,
                    "reason": one_of(RejectionReason),
                    "values": _REASON_VALUES,
                    "detail": _REASON_TEXT,
                    "detected_at": _INSTANT,
                }
            )
        ),
        "allowed_actions": array(one_of(BookingAction)),
    },
    description="A booking as the caller may see it now; an interpreter never sees its conflicts, and sees "
    "its interpreters only while the job is theirs",
)

_OFFER: Schema = exact(
    {
        "id": _ID,
        "state": one_of(OfferState),
        "booking": exact(
            {
                "id": _ID,
                "code": _TEXT,
                "session_kind": one_of(SessionKind),
                "modality": one_of(Modality),
                "country": _COUNTRY_CODE,
                "city": _TEXT,
                "duration_minutes": _MINUTES,
            },
            description="What is needed to decide; never the case reference or the notes",
        ),
        "leg": _LEG,
        "languages": {"type": "array", "items": _LANGUAGE_CODE, "minItems": 2, "maxItems": 2},
        "starts_at": _INSTANT,
        "ends_at": _INSTANT,
        "start_local": {**_LOCAL, "description": "Wall-clock start in the interpreter's zone"},
        "timezone": _ZONE,
        "expires_at": _INSTANT,
    }
)

_PREVIEW: Schema = exact(
    {
        "eligible_count": _COUNT,
        "covered_directly": {"type": "boolean"},
        "relay": {
            "oneOf": [
                {"type": "null"},
                exact(
                    {
                        "through": {"const": RELAY_LANGUAGE},
                        "first_leg_eligible": _COUNT,
                        "second_leg_eligible": _COUNT,
                    }
                ),
            ]
        },
        "suggestions": array(
            exact(
                {
                    "starts_at": _INSTANT,
                    "start_local": {**_LOCAL, "description": "Wall-clock start in the caller's zone"},
                    "eligible_count": _COUNT,
                }
            )
        ),
    }
)

_CANDIDATES: Schema = exact(
    {
        "eligible_count": _COUNT,
        "matches": array(
            exact(
                {
                    "interpreter_id": _ID,
                    "name": _TEXT,
                    "score": {"type": "number", "minimum": 0},
                    "components": array(
                        exact(
                            {
                                "name": _TEXT,
                                "points": {"type": "number"},
                                "basis": {**one_of(ScoreBasis), "description": "Why the points: a stable code"},
                                "values": _REASON_VALUES,
                                "detail": _REASON_TEXT,
                            }
                        )
                    ),
                }
            )
        ),
        "rejections": array(
            exact(
                {
                    "interpreter_id": _ID,
                    "reasons": array(
                        exact(
                            {
                                "reason": {**one_of(RejectionReason), "description": "A stable code"},
                                "values": _REASON_VALUES,
                                "detail": _REASON_TEXT,
                            }
                        )
                    ),
                }
            )
        ),
    }
)

_COUNTRY: Schema = exact(
    {
        "id": _ID,
        "code": _COUNTRY_CODE,
        "name": {
            **_TEXT,
            "description": "In the language Accept-Language asks for (CLDR's name), with an asterisk "
            "when the footnote must accompany it",
        },
        "authority": _TEXT,
        "timezone": _ZONE,
        "footnote": {"type": ["string", "null"], "description": "In the language Accept-Language asks for"},
    }
)

_DEPARTMENT: Schema = exact({"id": _ID, "name": _TEXT, "city": _TEXT, "timezone": _ZONE, "country": ref("Country")})

_ME: Schema = exact(
    {
        "id": _ID,
        "email": _TEXT,
        "name": _TEXT,
        "role": one_of(Role),
        "timezone": _ZONE,
        "department": {"oneOf": [{"type": "null"}, ref("Department")]},
        "country": {"oneOf": [{"type": "null"}, ref("Country")]},
        "interpreter_id": _nullable(_ID),
    }
)

_INTERPRETER: Schema = exact(
    {
        "id": _ID,
        "name": _TEXT,
        "gender": one_of(Gender),
        "timezone": _ZONE,
        "active": {"type": "boolean"},
        "employment": one_of(Employment),
        "daily_cap_minutes": {"type": "integer", "minimum": 0},
        "rest_gap_minutes": {"type": "integer", "minimum": 0},
        "hourly_rate": exact(
            {
                "amount": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "A decimal, as text"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"},
            }
        ),
        "language_pairs": array(
            exact(
                {
                    "languages": {"type": "array", "items": _LANGUAGE_CODE, "minItems": 2, "maxItems": 2},
                    "proficiency": one_of(Proficiency),
                }
            )
        ),
        "dialects": array(exact({"language": _LANGUAGE_CODE, "name": _TEXT})),
        "specialisations": _SPECIALISATIONS,
        "accreditations": array(
            exact({"country": _COUNTRY_CODE, "valid_from": _DAY, "valid_to": _DAY, "valid_today": {"type": "boolean"}})
        ),
        "availability": array(
            exact(
                {
                    "weekday": one_of(Weekday),
                    "start_minute": {"type": "integer", "minimum": 0, "maximum": 1440},
                    "end_minute": {"type": "integer", "minimum": 0, "maximum": 1440},
                }
            )
        ),
    }
)

_LANGUAGE: Schema = exact(
    {
        "code": _LANGUAGE_CODE,
        "name": _TEXT,
        "alpha_2": {"type": ["string", "null"], "pattern": "^[a-z]{2}$", "description": "ISO 639-1 code, if any"},
        "scope": {"type": "string", "enum": ["I", "M"], "description": "I individual, M macrolanguage"},
    }
)

_PROBLEM: Schema = exact(
    {
        "type": {"type": "string", "description": "A URI reference; about:blank when the status says it all"},
        "title": _TEXT,
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": _TEXT,
        "invalid_params": {
            **array(exact({"name": _TEXT, "reason": _TEXT})),
            "minItems": 1,
            "description": "Each field that cannot be accepted and why (`body` for the body as a whole)",
        },
    },
    optional=("detail", "invalid_params"),
    description="An error (RFC 9457)",
)


def _status(value: str) -> Schema:
    return exact({"status": {"const": value}})


RESPONSE_SCHEMAS: dict[str, Schema] = {
    "Booking": _BOOKING,
    "Offer": _OFFER,
    "Preview": _PREVIEW,
    "Candidates": _CANDIDATES,
    "ObjectionRecorded": _status("recorded"),
    "Declined": _status("declined"),
    "Problem": _PROBLEM,
    "Country": _COUNTRY,
    "Department": _DEPARTMENT,
    "Me": _ME,
    "Interpreter": _INTERPRETER,
    "Language": _LANGUAGE,
}
