"""The exact shapes of what the on-demand operations of `/api/v1` answer (`rris.api.ondemand`),
written like `openapi_responses`: every field required, nothing else allowed."""

from __future__ import annotations

from rris.api.openapi_responses import Schema, exact, one_of
from rris.common.domain.record_ids import MAX_ID
from rris.ondemand.domain.states import Answer, CallState

_ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_TEXT: Schema = {"type": "string"}
_INSTANT: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC"}
_CALL_PAGE: Schema = {"type": "string", "pattern": "^/calls/[0-9]+$", "description": "The call page, on this portal"}

ONDEMAND_RESPONSE_SCHEMAS: dict[str, Schema] = {
    "OnDemandCall": exact(
        {
            "id": _ID,
            "booking_id": _ID,
            "state": one_of(CallState),
            "requested_at": _INSTANT,
            "position": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "Place in the queue of its language pair while waiting (1 is next); null otherwise",
            },
            "expected_wait_seconds": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "While waiting: the median of recent answer times in this queue; null when "
                "unknown, and once it stopped waiting",
            },
            "call_url": {**_CALL_PAGE, "type": ["string", "null"], "description": "Once answered: the call page"},
        },
        description="A request for an interpreter now, as its officer follows it (the live status frame's fields)",
    ),
    "NoneAvailable": exact(
        {
            "answer": {"const": Answer.NONE_AVAILABLE.value},
            "gender_required": {
                "type": "boolean",
                "description": "The request requires a gender: it is never relaxed",
            },
            "phone_after_seconds": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "Sent again with wait set, after this many seconds unanswered the request is "
                "phoned to on-call interpreters, at least one of whom could take it now; null when the telephone "
                "escalation is off or no on-call interpreter could take it",
            },
            "detail": _TEXT,
        },
        description="Nobody reachable could take the request even when free; nothing was stored. Send it "
        "again with wait set to queue for one, or book a session.",
    ),
    "Presence": exact(
        {
            "available": {"type": "boolean", "description": 'She switched "available now" on'},
            "reachable": {
                "type": "boolean",
                "description": "Available and her live page beat within the heartbeat's span: she may be rung",
            },
            "heartbeat_seconds": {"type": "integer", "minimum": 1},
        }
    ),
    "Ring": exact(
        {
            "id": _ID,
            "call_id": _ID,
            "until": {**_INSTANT, "description": "When the ring lapses unanswered (ISO 8601, UTC)"},
            "summary": {**_TEXT, "description": "What the call is, in the caller's language; no case detail"},
        }
    ),
    "RingAccepted": exact({"call_id": _ID, "booking_id": _ID, "call_url": _CALL_PAGE}),
}
