"""The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"$ref": "#/components/responses/Problem"}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list_of(ref: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}}


def _get(summary: str, response: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": response, "401": _PROBLEM, "403": _PROBLEM, "404": _PROBLEM, "422": _PROBLEM},
        }
    }


_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]


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
                "Departments the caller may see", _ok(_list_of("#/components/schemas/Department"), "Departments")
            ),
            "/api/v1/departments/{id}": _get(
                "One department (404 outside the caller's reach)",
                _ok({"$ref": "#/components/schemas/Department"}, "The department"),
                _ID,
            ),
            "/api/v1/interpreters": _get(
                "Interpreter profiles the caller may see (the pool for coordinators, one's own for interpreters)",
                _ok(_list_of("#/components/schemas/Interpreter"), "Profiles"),
            ),
            "/api/v1/interpreters/{id}": _get(
                "One interpreter profile", _ok({"$ref": "#/components/schemas/Interpreter"}, "The profile"), _ID
            ),
            "/api/v1/languages": _get(
                "Search ISO 639-3 languages by code or name",
                _ok(_list_of("#/components/schemas/Language"), "Matching languages"),
                [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 2}}],
            ),
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
