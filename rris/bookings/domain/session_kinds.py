"""Session kinds and how long each usually takes."""

from __future__ import annotations

from rris.enums import SessionKind

DEFAULT_DURATION_MINUTES: dict[SessionKind, int] = {
    SessionKind.ASYLUM_INTERVIEW: 180,
    SessionKind.REGISTRATION: 60,
    SessionKind.RECEPTION: 60,
    SessionKind.MEDICAL: 60,
    SessionKind.LEGAL_COUNSELLING: 90,
    SessionKind.RETURN_COUNSELLING: 60,
    SessionKind.AGE_ASSESSMENT: 120,
    SessionKind.VULNERABILITY_ASSESSMENT: 120,
}

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 8 * 60
