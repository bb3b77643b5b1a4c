"""The `webhooks` section of the OpenAPI 3.1 document: what RRIS POSTs to a case system.

The body's schema is generated from the very model that writes each payload
(`rris.webhooks.domain.events.BookingWebhook`), so the document cannot describe another body.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from rris.webhooks.domain.events import BookingWebhook, WebhookEventType

Schema = dict[str, Any]

_SUMMARIES = {
    WebhookEventType.CONFIRMED: "Every interpreter the booking needs is confirmed",
    WebhookEventType.RESCHEDULED: "The booking moved to another time (it looks for an interpreter again)",
    WebhookEventType.CANCELLED: "The booking was cancelled",
    WebhookEventType.COMPLETED: "The session is over; `minutes_interpreted` says how long it counted",
}
_HEADERS = (
    ("webhook-id", "The event's id: the same on every retry; process each id once"),
    ("webhook-timestamp", "Seconds since the epoch when this try was signed"),
    (
        "webhook-signature",
        "'v1,' and the base64 HMAC-SHA256 of 'id.timestamp.body' keyed with the endpoint's secret; "
        "during a rotation's overlap two such signatures separated by a space",
    ),
)


class _Untitled(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def webhook_schemas() -> tuple[dict[str, Schema], dict[str, Schema]]:
    """The `webhooks` section (one POST per event type) and the component schemas it refers to."""
    refs, top = models_json_schema(
        [(BookingWebhook, "serialization")], ref_template="#/components/schemas/{model}", schema_generator=_Untitled
    )
    body = refs[(BookingWebhook, "serialization")]
    parameters = [
        {"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in _HEADERS
    ]
    webhooks = {
        event.value: {
            "post": {
                "summary": summary,
                "description": "Signed as the Standard Webhooks specification describes; answer 2xx within "
                "the timeout, anything else is tried again with backoff.",
                "parameters": parameters,
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {"2XX": {"description": "Received (a repeated webhook-id too)"}},
            }
        }
        for event, summary in _SUMMARIES.items()
    }
    return webhooks, top["$defs"]
