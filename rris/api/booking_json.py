"""Writing bookings, offers, matches and previews as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rris.access.domain.permissions import Actor, booking_actions
from rris.access.queries.scoping import disclosure_of
from rris.api.serializers import day, instant
from rris.bookings.domain.applicant_keys import KeyRing
from rris.bookings.models.bookings import Booking, Offer
from rris.bookings.services.applicant_keys import stand_in_for_identifier
from rris.context import current_clock, current_settings
from rris.matching.domain.engine import MatchResult
from rris.matching.domain.rules import ReasonValue
from rris.matching.services.booking_matching import Assessment
from rris.matching.services.conflict_wording import conflict_text, stored_rejection
from rris.matching.services.wording import rejection_text, score_text
from rris.notifications.queries.notices import open_conflicts
from rris.pool.domain.languages import RELAY_LANGUAGE
from rris.timeutil import to_local


def remembered_body(payload: Any, keys: KeyRing) -> Any:
    """The request body as an idempotency fingerprint may see it: the applicant's identifier
    replaced by its keyed hash under the current secret of `keys`."""
    if isinstance(payload, dict) and isinstance(payload.get("applicant_identifier"), str):
        return {**payload, "applicant_identifier": stand_in_for_identifier(payload["applicant_identifier"], keys)}
    return payload


def booking_json(booking: Booking, actor: Actor) -> dict[str, Any]:
    """A booking as this viewer may see it now (no applicant name exists to show): an interpreter
    gets the case reference and notes only while the job is theirs (`rris.access.domain.case_access`)."""
    shown = disclosure_of(booking, actor, current_clock().now(), current_settings().case_details_span)
    zone = booking.department.timezone
    department = booking.department
    return {
        "id": booking.id,
        "code": booking.code,
        "state": booking.state.value,
        "department": {"id": department.id, "name": department.name, "city": department.city, "timezone": zone},
        "country": booking.country.code,
        "applicant_language": booking.applicant_language,
        "officer_language": booking.officer_language,
        "dialect": booking.dialect,
        "session_kind": booking.session_kind.value,
        "modality": booking.modality.value,
        "starts_at": instant(booking.starts_at),
        "ends_at": instant(booking.ends_at),
        "start_local": to_local(booking.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": int((booking.ends_at - booking.starts_at).total_seconds() // 60),
        "case_reference": booking.case_reference if shown.case_details else None,
        "notes": booking.notes if shown.case_details else None,
        "gender": booking.gender.value if booking.gender else None,
        "gender_rule": booking.gender_rule.value,
        "specialisations": sorted(item.specialisation.value for item in booking.specialisations),
        "continuity": booking.continuity,
        # Whether objections and continuity follow the applicant across countries; the key
        # itself is never shown (it would let other systems link the applicant too).
        "regional_applicant_key": booking.applicant_key is not None,
        "relay": booking.relay,
        "interpreters": [
            {"leg": item.leg, "id": item.interpreter_id, "name": item.interpreter.name}
            for item in (booking.active_assignments if shown.job_is_theirs else ())
        ],
        "cancelled_at": instant(booking.cancelled_at),
        "cancelled_late": booking.cancelled_late,
        "version": booking.version,
        "conflicts": [
            {
                "interpreter_id": conflict.interpreter_id,
                "reason": conflict.reason,
                "values": _reason_values(stored_rejection(conflict).values),
                "detail": conflict_text(conflict),
                "detected_at": instant(conflict.detected_at),
            }
            for conflict in (open_conflicts(booking.id) if shown.institutional else ())
        ],
        "allowed_actions": sorted(action.value for action in booking_actions(actor, booking.state)),
    }


def offer_json(offer: Offer) -> dict[str, Any]:
    """An open offer as the interpreter sees it: what is needed to decide, times also in their
    own zone; never the case reference or the notes (`rris.access.domain.case_access`)."""
    booking = offer.booking
    zone = offer.interpreter.timezone
    return {
        "id": offer.id,
        "state": offer.state.value,
        "booking": {
            "id": booking.id,
            "code": booking.code,
            "session_kind": booking.session_kind.value,
            "modality": booking.modality.value,
            "country": booking.country.code,
            "city": booking.department.city,
            "duration_minutes": int((booking.ends_at - booking.starts_at).total_seconds() // 60),
        },
        "leg": offer.leg,
        "languages": list(booking.leg_languages(offer.leg)),
        "starts_at": instant(booking.starts_at),
        "ends_at": instant(booking.ends_at),
        "start_local": to_local(booking.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "timezone": zone,
        "expires_at": instant(offer.expires_at),
    }


def _reason_values(values: dict[str, ReasonValue]) -> dict[str, str | int | None]:
    """A reason's values for machines: codes and counts as they are, dates and instants in ISO 8601."""
    return {
        name: instant(value) if isinstance(value, datetime) else day(value) if isinstance(value, date) else value
        for name, value in values.items()
    }


def match_json(result: MatchResult) -> dict[str, Any]:
    """Ranked matches with their score explained, and every rejection with its reasons: stable
    codes and values for machines, and the sentence in the request's language for people."""
    return {
        "eligible_count": result.eligible_count,
        "matches": [
            {
                "interpreter_id": item.interpreter_id,
                "name": item.name,
                "score": round(item.score, 1),
                "components": [
                    {
                        "name": c.name,
                        "points": c.points,
                        "basis": c.basis.value,
                        "values": _reason_values(c.values),
                        "detail": score_text(c),
                    }
                    for c in item.components
                ],
            }
            for item in result.matches
        ],
        "rejections": [
            {
                "interpreter_id": interpreter_id,
                "reasons": [
                    {"reason": r.reason.value, "values": _reason_values(r.values), "detail": rejection_text(r)}
                    for r in reasons
                ],
            }
            for interpreter_id, reasons in sorted(result.rejections.items())
        ],
    }


def assessment_json(assessment: Assessment, zone: str) -> dict[str, Any]:
    """What the booking form shows while it is being filled in."""
    relay = assessment.relay
    return {
        "eligible_count": assessment.direct.eligible_count,
        "covered_directly": assessment.covered_directly,
        "relay": None
        if relay is None
        else {
            "through": RELAY_LANGUAGE,
            "first_leg_eligible": relay.first_leg.eligible_count,
            "second_leg_eligible": relay.second_leg.eligible_count,
        },
        "suggestions": [
            {
                "starts_at": instant(item.interval.start),
                "start_local": to_local(item.interval.start, zone).strftime("%Y-%m-%dT%H:%M"),
                "eligible_count": item.eligible_count,
            }
            for item in assessment.suggestions
        ],
    }
