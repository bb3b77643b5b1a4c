"""The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rris.api.openapi_responses import LOCAL_MINUTE_PATTERN, RESPONSE_SCHEMAS, enum_values, list_of, ref
from rris.bookings.services.bookings import OUTCOME_ACTIONS
from rris.common.web.ids import MAX_ID
from rris.enums import Gender, GenderRule, Modality, SessionKind, Specialisation

_PROBLEM = {"$ref": "#/components/responses/Problem"}
# Statuses besides success, as the server answers them: 400 a browser session's request without
# its CSRF token; 401 no valid sign-in; 403 the role may not; 404 nothing the caller may see;
# 409 the state forbids it now or another request won; 422 a value named in `invalid_params`.
_READ_ONE = (401, 404)
_WRITE = (400, 401, 403, 404, 409, 422)
_NOT_BLANK = "\\S"  # a pattern: at least one character that is not white space
_LOCAL_TIME = {
    "type": "string",
    "pattern": LOCAL_MINUTE_PATTERN,
    "description": "Wall-clock time in the department's zone, YYYY-MM-DDTHH:MM",
}
_RECORD_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_OUTCOMES = sorted(action.value for action in OUTCOME_ACTIONS)


_BOOKING = ref("Booking")


def _errors(statuses: Iterable[int]) -> dict[str, Any]:
    return {str(status): _PROBLEM for status in statuses}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
            **_get("Bookings the caller may see, soonest first", _ok(list_of("Booking"), "Bookings")),
        },
        "/api/v1/bookings/preview": _post(
            "How many interpreters fit; relay or other times when none",
            "BookingRequest",
            _ok(ref("Preview"), "The assessment"),
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
            _ok(ref("Candidates"), "Matches and rejections"),
            [*_ID, {"name": "leg", "in": "query", "schema": {"type": "integer", "enum": [1, 2]}}],
            (401, 403, 404, 422),
        ),
        "/api/v1/bookings/{id}/outcome": _post(
            f"Record what went wrong: {', '.join(_OUTCOMES)}",
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
            _ok(ref("ObjectionRecorded"), "Recorded"),
            _ID,
            {"201": _ok(ref("ObjectionRecorded"), "Recorded")},
        ),
        "/api/v1/offers": _get("Interpreters: open offers", _ok(list_of("Offer"), "Offers"), errors=(401, 403)),
        "/api/v1/offers/{id}/accept": _post(
            "Interpreters: accept (the first acceptance wins)",
            None,
            _ok(_BOOKING, "Confirmed"),
            _ID,
            errors=(400, 401, 403, 404, 409),
        ),
        "/api/v1/offers/{id}/decline": _post(
            "Interpreters: decline with a reason", "Reason", _ok(ref("Declined"), "Declined"), _ID
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
            "session_kind": {"enum": enum_values(SessionKind)},
            "start_local": _LOCAL_TIME,
            "start_occurrence": {"enum": [0, 1, None], "description": "Which of a time the October change repeats"},
            "duration_minutes": {"type": ["integer", "null"], "minimum": 15, "maximum": 480},
            "modality": {"enum": enum_values(Modality)},
            "case_reference": {
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": _NOT_BLANK,
                "description": "The department's reference; never a name",
            },
            "department_id": {**_RECORD_ID, "type": ["integer", "null"]},
            "notes": {"type": ["string", "null"], "maxLength": 1000},
            "gender": {"enum": [*enum_values(Gender), None]},
            "gender_rule": {"enum": enum_values(GenderRule)},
            "specialisations": {"type": "array", "items": {"enum": enum_values(Specialisation)}},
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
            "outcome": {"enum": _OUTCOMES},
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
            "/api/v1/me": _get("The caller's account", _ok(ref("Me"), "The caller")),
            "/api/v1/departments": _get(
                "Departments the caller may see",
                _ok(list_of("Department"), "Departments"),
                errors=(401, 403),
            ),
            "/api/v1/departments/{id}": _get(
                "One department (404 outside the caller's reach)",
                _ok(ref("Department"), "The department"),
                _ID,
                _READ_ONE,
            ),
            "/api/v1/interpreters": _get(
                "Interpreter profiles the caller may see (the pool for coordinators, one's own for interpreters)",
                _ok(list_of("Interpreter"), "Profiles"),
            ),
            "/api/v1/interpreters/{id}": _get(
                "One interpreter profile",
                _ok(ref("Interpreter"), "The profile"),
                _ID,
                _READ_ONE,
            ),
            "/api/v1/languages": _get(
                "Search ISO 639-3 languages by code or name",
                _ok(list_of("Language"), "Matching languages"),
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
                    "content": {"application/problem+json": {"schema": ref("Problem")}},
                }
            },
            "schemas": {
                **_BOOKING_SCHEMAS,
                **RESPONSE_SCHEMAS,
            },
        },
    }
