"""The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rris.web.ids import MAX_ID

_PROBLEM = {"$ref": "#/components/responses/Problem"}
# Statuses besides success, as the server answers them: 400 a browser session's request without
# its CSRF token; 401 no valid sign-in; 403 the role may not; 404 nothing the caller may see;
# 409 the state forbids it now or another request won; 422 a value named in `invalid_params`.
_READ_ONE = (401, 404)
_WRITE = (400, 401, 403, 404, 409, 422)
_NOT_BLANK = "\\S"  # a pattern: at least one character that is not white space
_LOCAL_TIME = {
    "type": "string",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$",
    "description": "Wall-clock time in the department's zone, YYYY-MM-DDTHH:MM",
}
_RECORD_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _errors(statuses: Iterable[int]) -> dict[str, Any]:
    return {str(status): _PROBLEM for status in statuses}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list_of(ref: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}}


def _get(
    summary: str,
    response: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    errors: Iterable[int] = (401,),
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": response, **_errors(errors)},
        }
    }


_ID = [{"name": "id", "in": "path", "required": True, "schema": _RECORD_ID}]


def _post(
    summary: str,
    body_schema: str | None,
    response: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    extra_responses: dict[str, Any] | None = None,
    errors: Iterable[int] = _WRITE,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": parameters or [],
        "responses": {"200": response, **_errors(errors), **(extra_responses or {})},
    }
    if body_schema:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body_schema}"}}},
        }
    return {"post": operation}


_BOOKING = {"$ref": "#/components/schemas/Booking"}
_IDEMPOTENCY = [
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": _NOT_BLANK},
    }
]


def _booking_paths() -> dict[str, Any]:
    created = {"201": _ok(_BOOKING, "The booking (also for a replay with the same Idempotency-Key)")}
    create = _post(
        "Request an interpreter", "BookingRequest", _ok(_BOOKING, "Unused"), _IDEMPOTENCY, created, (400, 401, 422)
    )
    del create["post"]["responses"]["200"]
    return {
        "/api/v1/bookings": {
            **create,
            **_get(
                "Bookings the caller may see, soonest first", _ok(_list_of("#/components/schemas/Booking"), "Bookings")
            ),
        },
        "/api/v1/bookings/preview": _post(
            "How many interpreters fit; relay or other times when none",
            "BookingRequest",
            _ok({"$ref": "#/components/schemas/Preview"}, "The assessment"),
            errors=(400, 401, 422),
        ),
        "/api/v1/bookings/{id}": _get("One booking", _ok(_BOOKING, "The booking"), _ID, _READ_ONE),
        "/api/v1/bookings/{id}/cancel": _post("Cancel with a reason", "Reason", _ok(_BOOKING, "Cancelled"), _ID),
        "/api/v1/bookings/{id}/reschedule": _post("Move to another time", "Reschedule", _ok(_BOOKING, "Moved"), _ID),
        "/api/v1/bookings/{id}/reoffer": _post(
            "Release the interpreters the booking's open conflicts are about and offer the job again",
            None,
            _ok(_BOOKING, "Offered again"),
            _ID,
            errors=(400, 401, 403, 404, 409),
        ),
        "/api/v1/bookings/{id}/candidates": _get(
            "Coordinators: every interpreter ranked or with the reasons they do not fit",
            _ok({"type": "object"}, "Matches and rejections"),
            [*_ID, {"name": "leg", "in": "query", "schema": {"type": "integer", "enum": [1, 2]}}],
            (401, 403, 404, 422),
        ),
        "/api/v1/bookings/{id}/outcome": _post(
            "Record what went wrong: mark_interpreter_no_show, mark_applicant_no_show, mark_wrong_language, "
            "mark_technical_failure",
            "Outcome",
            _ok(_BOOKING, "Recorded"),
            _ID,
        ),
        "/api/v1/bookings/{id}/assign": _post(
            "Coordinators: assign by hand", "Assignment", _ok(_BOOKING, "Assigned"), _ID
        ),
        "/api/v1/bookings/{id}/objections": _post(
            "The applicant objects to an interpreter of this booking (for the whole case)",
            "Objection",
            _ok({"type": "object"}, "Recorded"),
            _ID,
            {"201": _ok({"type": "object"}, "Recorded")},
        ),
        "/api/v1/offers": _get(
            "Interpreters: open offers", _ok(_list_of("#/components/schemas/Offer"), "Offers"), errors=(401, 403)
        ),
        "/api/v1/offers/{id}/accept": _post(
            "Interpreters: accept (the first acceptance wins)",
            None,
            _ok(_BOOKING, "Confirmed"),
            _ID,
            errors=(400, 401, 403, 404, 409),
        ),
        "/api/v1/offers/{id}/decline": _post(
            "Interpreters: decline with a reason", "Reason", _ok({"type": "object"}, "Declined"), _ID
        ),
    }


_BOOKING_SCHEMAS: dict[str, Any] = {
    "BookingRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["applicant_language", "officer_language", "session_kind", "start_local", "case_reference"],
        "properties": {
            "applicant_language": {"type": "string", "description": "ISO 639-3 code"},
            "officer_language": {"type": "string", "description": "ISO 639-3 code"},
            "dialect": {"type": ["string", "null"]},
            "session_kind": {
                "enum": [
                    "asylum_interview",
                    "registration",
                    "reception",
                    "medical",
                    "legal_counselling",
                    "return_counselling",
                    "age_assessment",
                    "vulnerability_assessment",
                ]
            },
            "start_local": _LOCAL_TIME,
            "start_occurrence": {"enum": [0, 1, None], "description": "Which of a time the October change repeats"},
            "duration_minutes": {"type": ["integer", "null"], "minimum": 15, "maximum": 480},
            "modality": {"enum": ["video", "phone"]},
            "case_reference": {
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": _NOT_BLANK,
                "description": "The department's reference; never a name",
            },
            "department_id": {**_RECORD_ID, "type": ["integer", "null"]},
            "notes": {"type": ["string", "null"], "maxLength": 1000},
            "gender": {"enum": ["female", "male", None]},
            "gender_rule": {"enum": ["none", "preferred", "required"]},
            "specialisations": {
                "type": "array",
                "items": {
                    "enum": [
                        "trauma",
                        "children",
                        "medical",
                        "legal",
                        "cultural_mediation",
                        "gender_based_violence",
                    ]
                },
            },
            "continuity": {"type": "boolean"},
            "applicant_identifier": {
                "type": ["string", "null"],
                "maxLength": 128,
                "writeOnly": True,
                "description": "Optional regional identifier of the applicant (a registration number the countries "
                "share), 5 to 64 letters and digits; spaces, dashes, dots and slashes are ignored and case does "
                "not matter. RRIS keeps only a keyed hash: objections and continuity then follow the applicant "
                "in every country. Without it they hold within this case only. Never returned.",
            },
        },
    },
    "Booking": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "state": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "start_local": {"type": "string"},
            "duration_minutes": {"type": "integer"},
            "department": {"type": "object"},
            "case_reference": {
                "type": ["string", "null"],
                "description": "null for an interpreter, except from her confirmation until the session's end "
                "plus RRIS_CASE_DETAILS_HOURS",
            },
            "notes": {"type": ["string", "null"], "description": "as case_reference"},
            "relay": {"type": "boolean"},
            "regional_applicant_key": {
                "type": "boolean",
                "readOnly": True,
                "description": "Whether a regional applicant identifier was given (the identifier is never returned)",
            },
            "interpreters": {"type": "array", "items": {"type": "object"}},
            "allowed_actions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Preview": {
        "type": "object",
        "properties": {
            "eligible_count": {"type": "integer"},
            "covered_directly": {"type": "boolean"},
            "relay": {"type": ["object", "null"]},
            "suggestions": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Offer": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "leg": {"type": "integer"},
            "booking": {
                "type": "object",
                "description": "what is needed to decide; never the case reference or the notes",
            },
            "languages": {"type": "array", "items": {"type": "string"}},
            "starts_at": {"type": "string", "format": "date-time"},
            "start_local": {"type": "string"},
            "timezone": {"type": "string"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "Reason": {
        "type": "object",
        "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": _NOT_BLANK}},
    },
    "Reschedule": {
        "type": "object",
        "required": ["start_local"],
        "properties": {
            "start_local": _LOCAL_TIME,
            "duration_minutes": {"type": ["integer", "null"], "minimum": 15, "maximum": 480},
            "start_occurrence": {"enum": [0, 1, None]},
        },
    },
    "Assignment": {
        "type": "object",
        "required": ["interpreter_id"],
        "properties": {"interpreter_id": _RECORD_ID, "leg": {"enum": [1, 2]}, "despite": {"type": "boolean"}},
    },
    "Outcome": {
        "type": "object",
        "required": ["outcome"],
        "properties": {
            "outcome": {
                "enum": [
                    "mark_interpreter_no_show",
                    "mark_applicant_no_show",
                    "mark_wrong_language",
                    "mark_technical_failure",
                ]
            },
            "note": {"type": "string", "maxLength": 500},
        },
    },
    "Objection": {
        "type": "object",
        "required": ["interpreter_id"],
        "properties": {"interpreter_id": _RECORD_ID},
    },
}


def openapi_document() -> dict[str, Any]:
    """The whole document (static; built on each call, it is small)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RRIS API",
            "version": "1",
            "description": "Regional Remote Interpretation Service. Authenticate with a personal API token "
            "(profile page) as 'Authorization: Bearer rris_...'. Errors are application/problem+json; "
            "'invalid_params' names each offending field.",
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/me": _get("The caller's account", _ok({"$ref": "#/components/schemas/Me"}, "The caller")),
            "/api/v1/departments": _get(
                "Departments the caller may see",
                _ok(_list_of("#/components/schemas/Department"), "Departments"),
                errors=(401, 403),
            ),
            "/api/v1/departments/{id}": _get(
                "One department (404 outside the caller's reach)",
                _ok({"$ref": "#/components/schemas/Department"}, "The department"),
                _ID,
                _READ_ONE,
            ),
            "/api/v1/interpreters": _get(
                "Interpreter profiles the caller may see (the pool for coordinators, one's own for interpreters)",
                _ok(_list_of("#/components/schemas/Interpreter"), "Profiles"),
            ),
            "/api/v1/interpreters/{id}": _get(
                "One interpreter profile",
                _ok({"$ref": "#/components/schemas/Interpreter"}, "The profile"),
                _ID,
                _READ_ONE,
            ),
            "/api/v1/languages": _get(
                "Search ISO 639-3 languages by code or name",
                _ok(_list_of("#/components/schemas/Language"), "Matching languages"),
                [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "description": "At least two characters besides white space at either end",
                        "schema": {"type": "string", "minLength": 2, "pattern": "\\S[\\s\\S]*\\S"},
                    }
                ],
                (401, 422),
            ),
            **_booking_paths(),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "An error (RFC 9457)",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            },
            "schemas": {
                **_BOOKING_SCHEMAS,
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "invalid_params": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                            },
                        },
                    },
                },
                "Country": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "authority": {"type": "string"},
                        "timezone": {"type": "string"},
                        "footnote": {"type": ["string", "null"]},
                    },
                },
                "Department": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "city": {"type": "string"},
                        "timezone": {"type": "string"},
                        "country": {"$ref": "#/components/schemas/Country"},
                    },
                },
                "Me": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "email": {"type": "string"},
                        "name": {"type": "string"},
                        "role": {"enum": ["caseworker", "focal_point", "interpreter", "coordinator", "admin"]},
                        "timezone": {"type": "string"},
                        "interpreter_id": {"type": ["integer", "null"]},
                    },
                },
                "Interpreter": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "gender": {"enum": ["female", "male"]},
                        "timezone": {"type": "string"},
                        "active": {"type": "boolean"},
                        "language_pairs": {"type": "array", "items": {"type": "object"}},
                        "accreditations": {"type": "array", "items": {"type": "object"}},
                        "availability": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "Language": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "alpha_2": {"type": ["string", "null"]},
                        "scope": {"enum": ["I", "M"]},
                    },
                },
            },
        },
    }
