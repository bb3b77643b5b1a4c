"""The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`, generated.

Request bodies and query strings are the JSON Schemas of the very shapes that validate them
(`rris.*.services.*_requests`, pydantic), so the document cannot promise what the server
refuses or forget what it checks. Responses are the exact schemas of `openapi_responses`.
This module lists the operations: path, summary, shapes in and out, and statuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from rris.api.openapi_ondemand import ONDEMAND_RESPONSE_SCHEMAS
from rris.api.openapi_reports import REPORT_SCHEMAS
from rris.api.openapi_responses import RESPONSE_SCHEMAS, Schema, list_of, ref
from rris.api.openapi_webhooks import webhook_schemas
from rris.bookings.services import booking_requests as shapes
from rris.common.domain.record_ids import MAX_ID
from rris.common.services.request_shapes import NOT_BLANK_PATTERN, RequestShape
from rris.offers.services.offer_requests import Decline
from rris.ondemand.services.ondemand_requests import Availability, OnDemandRequest
from rris.pool.services.languages import LanguageSearch
from rris.reports.services.report_requests import ReportQuery

# Statuses besides success, as the server answers them: 400 a browser session's request without
# its CSRF token; 401 no valid sign-in; 403 the role may not; 404 nothing the caller may see;
# 409 the state forbids it now or another request won; 422 a value named in `invalid_params`;
# and on every operation 429 over a rate limit (`rris.common.web.rate_limits`).
_READ_ONE = (401, 404)
_WRITE = (400, 401, 403, 404, 409, 422)
_NO_BODY = (400, 401, 403, 404, 409)
_CREATE = (400, 401, 422)
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK_PATTERN},
}
_BOOKING = ref("Booking")
_SECONDS = {"type": "integer", "minimum": 0}
_TOO_MANY_REQUESTS: Schema = {
    "description": "Over a rate limit: the API token's (RRIS_RATE_LIMIT_PER_TOKEN a minute; a browser session's "
    "account alike) or the client address's (RRIS_RATE_LIMIT_PER_ADDRESS a minute), each counted across every "
    "operation; 'detail' says which",
    "headers": {
        "Retry-After": {"required": True, "description": "Seconds until the limit's window ends", "schema": _SECONDS},
        "RateLimit-Limit": {"description": "Requests the window allows", "schema": _SECONDS},
        "RateLimit-Remaining": {"description": "Requests left in the window", "schema": _SECONDS},
        "RateLimit-Reset": {"description": "Seconds until the window ends", "schema": _SECONDS},
    },
    "content": {"application/problem+json": {"schema": ref("Problem")}},
}


@dataclass(frozen=True)
class Operation:
    """One method on one path: what it takes, what it answers, and with which statuses."""

    method: str
    path: str
    summary: str
    answer: Schema
    described: str
    status: int = 200
    body: type[RequestShape] | None = None
    query: type[RequestShape] | None = None
    errors: Iterable[int] = (401,)
    header: Schema | None = None
    also: tuple[tuple[int, Schema, str], ...] = ()  # other successful answers: status, schema, description

    @property
    def has_id(self) -> bool:
        return "{id}" in self.path


def _get(path: str, summary: str, answer: Schema, described: str, **more: Any) -> Operation:
    return Operation("get", path, summary, answer, described, **more)


def _post(path: str, summary: str, answer: Schema, described: str, **more: Any) -> Operation:
    more.setdefault("errors", _WRITE)
    return Operation("post", path, summary, answer, described, **more)


_OUTCOMES = ", ".join(sorted(action.value for action in shapes.OUTCOME_ACTIONS))
_B = "/api/v1/bookings"
_N = "/api/v1/now"
OPERATIONS = (
    _get("/api/v1/me", "The caller's account", ref("Me"), "The caller"),
    _get("/api/v1/departments", "Departments the caller may see", list_of("Department"), "Departments",
         errors=(401, 403)),
    _get("/api/v1/departments/{id}", "One department (404 outside the caller's reach)", ref("Department"),
         "The department", errors=_READ_ONE),
    _get("/api/v1/interpreters",
         "Interpreter profiles the caller may see (the pool for coordinators, one's own for interpreters)",
         list_of("Interpreter"), "Profiles"),
    _get("/api/v1/interpreters/{id}", "One interpreter profile", ref("Interpreter"), "The profile",
         errors=_READ_ONE),
    _get("/api/v1/languages", "Search ISO 639-3 languages by code or name", list_of("Language"),
         "Matching languages", query=LanguageSearch, errors=(401, 422)),
    _post(_B, "Request an interpreter", _BOOKING, "The booking (also for a replay with the same Idempotency-Key)",
          status=201, body=shapes.BookingRequest, errors=_CREATE, header=_IDEMPOTENCY),
    _get(_B, "Bookings the caller may see, soonest first", list_of("Booking"), "Bookings"),
    _post(f"{_B}/preview", "How many interpreters fit; relay or other times when none", ref("Preview"),
          "The assessment", body=shapes.BookingRequest, errors=_CREATE),
    _get(f"{_B}/{{id}}", "One booking", _BOOKING, "The booking", errors=_READ_ONE),
    _post(f"{_B}/{{id}}/cancel", "Cancel with a reason", _BOOKING, "Cancelled", body=shapes.Cancellation),
    _post(f"{_B}/{{id}}/reschedule", "Move to another time", _BOOKING, "Moved", body=shapes.Reschedule),
    _post(f"{_B}/{{id}}/reoffer",
          "Release the interpreters the booking's open conflicts are about and offer the job again",
          _BOOKING, "Offered again", errors=_NO_BODY),
    _get(f"{_B}/{{id}}/candidates", "Coordinators: every interpreter ranked or with the reasons they do not fit",
         ref("Candidates"), "Matches and rejections", query=shapes.CandidatesQuery, errors=(401, 403, 404, 422)),
    _post(f"{_B}/{{id}}/outcome", f"Record what went wrong: {_OUTCOMES}", _BOOKING, "Recorded", body=shapes.Outcome),
    _post(f"{_B}/{{id}}/assign", "Coordinators: assign by hand", _BOOKING, "Assigned", body=shapes.Assignment),
    _post(f"{_B}/{{id}}/objections", "The applicant objects to an interpreter of this booking (for the whole case)",
          ref("ObjectionRecorded"), "Recorded", status=201, body=shapes.Objection),
    _get("/api/v1/offers", "Interpreters: open offers", list_of("Offer"), "Offers", errors=(401, 403)),
    _post("/api/v1/offers/{id}/accept", "Interpreters: accept (the first acceptance wins)", _BOOKING, "Confirmed",
          errors=_NO_BODY),
    _post("/api/v1/offers/{id}/decline", "Interpreters: decline with a reason", ref("Declined"), "Declined",
          body=Decline),
    _get("/api/v1/reports",
         "Coordinators and focal points: a period's figures (a focal point's always their own country's), "
         "on-demand calls included",
         ref("Report"), "The report", query=ReportQuery, errors=(401, 403, 422)),
    _post(f"{_N}/requests", "Officers: an interpreter now. Rings the best reachable interpreters at once, or queues "
          "when they are busy; 200 none_available when nobody reachable could take it (nothing stored), saying "
          "when on-call interpreters would be phoned were it to wait",
          ref("OnDemandCall"), "Ringing or waiting in the queue (also for a replay with the same Idempotency-Key)",
          status=201, body=OnDemandRequest, errors=(400, 401, 403, 422), header=_IDEMPOTENCY,
          also=((200, ref("NoneAvailable"), "Nobody suitable is reachable now; wait or book"),)),
    _get(f"{_N}/requests/{{id}}", "Officers: where a request for an interpreter now stands", ref("OnDemandCall"),
         "The request", errors=(401, 403, 404)),
    _post(f"{_N}/requests/{{id}}/abandon", "Officers: give up waiting (recorded as abandoned; the rings stop)",
          ref("OnDemandCall"), "Abandoned", errors=_NO_BODY),
    _get(f"{_N}/availability", "Interpreters: whether you are available now and reachable", ref("Presence"),
         "Your presence", errors=(401, 403)),
    _post(f"{_N}/availability", "Interpreters: switch \"available now\" on or off (switching on counts as a "
          "heartbeat; your live page's beats keep you reachable)", ref("Presence"), "Your presence",
          body=Availability, errors=(400, 401, 403, 422)),
    _get(f"{_N}/rings", "Interpreters: the calls ringing for you now", list_of("Ring"), "Rings", errors=(401, 403)),
    _post(f"{_N}/rings/{{id}}/accept", "Interpreters: take the call (the first to accept wins), then join its page",
          ref("RingAccepted"), "Yours", errors=_NO_BODY),
    _post(f"{_N}/rings/{{id}}/decline", "Interpreters: let this call go (you stay available for others)",
          ref("Declined"), "Declined", errors=_NO_BODY),
)  # fmt: skip


class _Untitled(GenerateJsonSchema):
    """Pydantic's JSON Schema without a title on every field (a shape keeps its own)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def str_schema(self, schema: Any) -> Schema:
        """Every text, as the portal refuses any holding U+0000 (`rris.common.web.null_characters`)."""
        return {**super().str_schema(schema), "not": {"pattern": "\\x00"}}


def request_schemas() -> tuple[dict[str, Schema], dict[str, Schema]]:
    """Every request shape's schema as a reference, by shape name, and the component schemas
    (shapes and the enums they use) to put under `components/schemas`."""
    shapes = sorted({shape for item in OPERATIONS for shape in (item.body, item.query) if shape}, key=str)
    refs, top = models_json_schema(
        [(shape, "validation") for shape in shapes],
        ref_template="#/components/schemas/{model}",
        schema_generator=_Untitled,
    )
    return {shape.__name__: refs[(shape, "validation")] for shape in shapes}, top["$defs"]


def _query_parameters(shape: type[RequestShape], components: dict[str, Schema]) -> list[Schema]:
    schema = components[shape.__name__]
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        parameter: Schema = {"name": name, "in": "query", "required": name in required, "schema": field}
        if "description" in field:
            parameter["description"] = field["description"]
        parameters.append(parameter)
    return parameters


def _operation(item: Operation, refs: dict[str, Schema], components: dict[str, Schema]) -> Schema:
    parameters = [_ID] if item.has_id else []
    if item.header:
        parameters.append(item.header)
    if item.query:
        parameters += _query_parameters(item.query, components)
    answer = {"description": item.described, "content": {"application/json": {"schema": item.answer}}}
    problem = {"$ref": "#/components/responses/Problem"}
    operation: Schema = {
        "summary": item.summary,
        "parameters": parameters,
        "responses": {
            str(item.status): answer,
            **{
                str(status): {"description": described, "content": {"application/json": {"schema": schema}}}
                for status, schema, described in item.also
            },
            **{str(status): problem for status in item.errors},
            "429": {"$ref": "#/components/responses/TooManyRequests"},
        },
    }
    if item.body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[item.body.__name__]}},
        }
    return operation


def openapi_document() -> dict[str, Any]:
    """The whole document (static; built on each call, it is small)."""
    refs, components = request_schemas()
    webhooks, webhook_components = webhook_schemas()
    assert all(components.get(name, schema) == schema for name, schema in webhook_components.items())
    components = {**components, **webhook_components}
    responses = {**RESPONSE_SCHEMAS, **REPORT_SCHEMAS, **ONDEMAND_RESPONSE_SCHEMAS}
    clashing = set(components) & set(responses)
    assert not clashing, f"request and response schemas share names: {sorted(clashing)}"
    paths: dict[str, Schema] = {}
    for item in OPERATIONS:
        paths.setdefault(item.path, {})[item.method] = _operation(item, refs, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RRIS API",
            "version": "1",
            "description": "Regional Remote Interpretation Service. Authenticate with a personal API token "
            "(profile page) as 'Authorization: Bearer rris_...'. Errors are application/problem+json; "
            "'invalid_params' names each offending field. Requests are limited per token and per client "
            "address (429 with Retry-After; RateLimit-Limit, -Remaining and -Reset on every answer).",
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "webhooks": webhooks,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "An error (RFC 9457)",
                    "content": {"application/problem+json": {"schema": ref("Problem")}},
                },
                "TooManyRequests": _TOO_MANY_REQUESTS,
            },
            "schemas": {**components, **responses},
        },
    }
