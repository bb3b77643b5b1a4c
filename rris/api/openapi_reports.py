"""The exact shape of the report `/api/v1/reports` answers (`rris.api.report_json`), in the style
of `openapi_responses`: every field required, nothing else allowed."""

from __future__ import annotations

from rris.api.openapi_responses import Schema, array, exact, one_of
from rris.common.domain.record_ids import MAX_ID
from rris.enums import BookingState, Modality, SessionKind

_COUNT: Schema = {"type": "integer", "minimum": 0}
_SHARE: Schema = {
    "type": ["number", "null"],
    "minimum": 0,
    "maximum": 1,
    "description": "0..1; null when nothing to share",
}
_SECONDS: Schema = {
    "type": ["number", "null"],
    "minimum": 0,
    "description": "Seconds; null when there is nothing to measure",
}
_TIME = exact(
    {"seconds": _COUNT, "minutes": {**_COUNT, "description": "Whole minutes, half a minute rounding up"}},
)
_COUNTRY: Schema = {"type": "string", "pattern": "^[A-Z]{2}$"}
_LANGUAGE: Schema = {"type": "string", "pattern": "^[a-z]{3}$", "description": "ISO 639-3 code"}
_BY_LANGUAGE = array(
    exact({"country": _COUNTRY, "language": _LANGUAGE, "sessions": _COUNT, "seconds": _COUNT, "minutes": _COUNT})
)


def _nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


REPORT: Schema = exact(
    {
        "period": exact(
            {
                "first_day": {"type": "string", "format": "date"},
                "last_day": {"type": "string", "format": "date"},
                "zone": {"type": "string", "minLength": 1, "description": "IANA time zone the days are in"},
            }
        ),
        "filter": exact(
            {
                "country": {**_nullable(_COUNTRY), "description": "A focal point's report is always their country's"},
                "department": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID},
                "language": _nullable(_LANGUAGE),
                "kind": one_of(SessionKind, nullable=True),
                "modality": one_of(Modality, nullable=True),
            }
        ),
        "booked_sessions": exact(
            {
                "requested": _COUNT,
                "requested_time": _TIME,
                "filled": _COUNT,
                "fill_rate": _SHARE,
                "median_time_to_fill_seconds": _SECONDS,
                "median_lead_time_seconds": _SECONDS,
                "late_cancellations": _COUNT,
                "early_cancellations": _COUNT,
                "outcomes": exact({state.value: _COUNT for state in BookingState}),
            },
            description="Sessions booked ahead that start in the period; on-demand calls are in 'on_demand'",
        ),
        "delivered": exact(
            {
                "sessions": _COUNT,
                "time": _TIME,
                "video_calls": _COUNT,
                "phone_fallbacks": _COUNT,
                "phone_share": _SHARE,
                "by_language": _BY_LANGUAGE,
            },
            description="Completed sessions, on-demand ones included, and their delivered time",
        ),
        "owed": array(
            exact(
                {
                    "country": _COUNTRY,
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "sessions": _COUNT,
                    "interpreter_time": _TIME,
                    "amount": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$", "description": "To the cent"},
                }
            )
        ),
        "on_demand": exact(
            {
                "requests": _COUNT,
                "answered": _COUNT,
                "abandoned": _COUNT,
                "abandonment_rate": {**_SHARE, "description": "Abandoned over answered + abandoned"},
                "speed_of_answer_p50_seconds": _SECONDS,
                "speed_of_answer_p90_seconds": _SECONDS,
                "delivered_sessions": _COUNT,
                "delivered_time": _TIME,
                "by_language": _BY_LANGUAGE,
            },
            description="On-demand calls; their minutes are billed like any session's and counted in 'owed'",
        ),
    }
)
REPORT_SCHEMAS: dict[str, Schema] = {"Report": REPORT}
