"""What a caller may send to book, move, cancel, assign or object, described once.

Each shape validates the API's JSON body and the booking pages' form posts alike and generates
its part of `/api/v1/openapi.json` (`rris.api.openapi`). What a shape cannot know (a language
RRIS has, a department of the caller's, a start in the future in that department's zone) the
use case checks (`rris.bookings.services.booking_input.validate_booking`).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from rris.bookings.domain.booking_states import BookingAction
from rris.bookings.domain.session_kinds import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from rris.bookings.models.bookings import CASE_REFERENCE_MAX_CHARS, NOTES_MAX_CHARS
from rris.common.domain.calendar_years import FIRST_YEAR, LAST_YEAR
from rris.common.services.request_shapes import (
    NOT_BLANK_PATTERN,
    SAYS_SOMETHING,
    RecordId,
    RequestShape,
    WallClock,
    always,
    blank_or,
    too_long,
)
from rris.enums import Gender, GenderRule, Modality, MoveReason, SessionKind, Specialisation

CANCEL_REASON_MAX_CHARS = 500
OUTCOME_NOTE_MAX_CHARS = 500
MOVE_NOTE_MAX_CHARS = 500
APPLICANT_IDENTIFIER_MAX_CHARS = 128
OUTCOME_ACTIONS = frozenset(
    {
        BookingAction.MARK_INTERPRETER_NO_SHOW,
        BookingAction.MARK_APPLICANT_NO_SHOW,
        BookingAction.MARK_WRONG_LANGUAGE,
        BookingAction.MARK_TECHNICAL_FAILURE,
    }
)
_OUTCOMES = sorted(action.value for action in OUTCOME_ACTIONS)


_LANGUAGE = Annotated[str, Field(description="ISO 639-3 code"), always(lambda: _("Choose a language."))]
_WHICH_OCCURRENCE = Annotated[
    int | None,
    Field(ge=0, le=1, description="Which of a wall-clock time the October change repeats: 0 the first, 1 the second"),
    always(lambda: _("Give 0 (the first) or 1 (the second).")),
]
_DURATION = Annotated[
    int | None,
    Field(ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES),
    always(
        lambda: _(
            "A session lasts from %(low)d minutes to %(high)d hours.",
            low=MIN_DURATION_MINUTES,
            high=MAX_DURATION_MINUTES // 60,
        )
    ),
]
_START = Annotated[
    WallClock,
    Field(description="Wall-clock time in the department's zone, YYYY-MM-DDTHH:MM"),
    always(
        lambda: _(
            "Give the start as a date and time from %(first)d to %(last)d, like 2026-03-02T09:00.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    ),
]
_INTERPRETER = Annotated[RecordId, always(lambda: _("Give the interpreter's id."))]


# The department's own reference for a case, as every request that opens a session takes it.
CaseReference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=CASE_REFERENCE_MAX_CHARS, pattern=NOT_BLANK_PATTERN
    ),
    Field(description="The department's reference; never a name"),
    blank_or(lambda: _("Enter your department's case reference (never the applicant's name).")),
]


class BookingRequest(RequestShape):
    """A booking request as typed into the form or sent by a case system, its values typed."""

    model_config = ConfigDict(extra="forbid")
    # Fields of a booking that RRIS sets: named so the refusal says so rather than "unknown".
    set_by_rris: ClassVar[frozenset[str]] = frozenset(
        {
            "id", "code", "state", "country", "country_id", "cost", "relay", "version", "created_at",
            "interpreters", "regional_applicant_key",
        }
    )  # fmt: skip

    applicant_language: _LANGUAGE
    officer_language: _LANGUAGE
    session_kind: SessionKind
    start_local: _START
    start_occurrence: _WHICH_OCCURRENCE = None
    duration_minutes: _DURATION = None
    modality: Modality = Modality.VIDEO
    case_reference: CaseReference
    department_id: Annotated[
        RecordId | None,
        Field(description="One of the caller's departments; the caller's own when left out"),
        always(lambda: _("Give the id of one of your departments.")),
    ] = None
    dialect: Annotated[str, StringConstraints(strip_whitespace=True)] | None = None
    notes: Annotated[
        str | None,
        StringConstraints(strip_whitespace=True, max_length=NOTES_MAX_CHARS),
        Field(description="Practical notes to the interpreter; nothing that identifies the applicant"),
        too_long(
            lambda most, length: ngettext(
                "Notes to the interpreter take at most %(num)d character; these have %(length)d. Shorten them.",
                "Notes to the interpreter take at most %(num)d characters; these have %(length)d. Shorten them.",
                most,
                length=length,
            )
        ),
    ] = None
    gender: Gender | None = None
    gender_rule: GenderRule = GenderRule.NONE
    specialisations: tuple[Specialisation, ...] = ()
    continuity: bool = False
    # The applicant's regional identifier, in the clear: keyed in validation, then dropped.
    # Kept out of repr so no log line or traceback can print it.
    applicant_identifier: Annotated[
        str | None,
        Field(
            max_length=APPLICANT_IDENTIFIER_MAX_CHARS,
            repr=False,
            json_schema_extra={"writeOnly": True},
            description="Optional regional identifier of the applicant (a registration number the countries "
            "share), 5 to 64 letters and digits; spaces, dashes, dots and slashes are ignored and case does "
            "not matter. RRIS keeps only a keyed hash: objections and continuity then follow the applicant "
            "in every country. Without it they hold within this case only. Never returned.",
        ),
    ] = None


class Reschedule(RequestShape):
    """A new start (and, if it changes, a new duration) for a booking."""

    start_local: _START
    duration_minutes: _DURATION = None
    start_occurrence: _WHICH_OCCURRENCE = None
    reason: Annotated[
        MoveReason | None,
        Field(
            description="Why it moves, from the list: each reader is told in their own language. "
            "`other` needs `reason_text`. Optional."
        ),
        always(lambda: _("Choose one of: %(allowed)s.", allowed=", ".join(MoveReason))),
    ] = None
    reason_text: Annotated[
        str | None,
        StringConstraints(strip_whitespace=True, max_length=MOVE_NOTE_MAX_CHARS),
        Field(
            description="Why it moves, in the mover's own words: shown to the others as written (quoted, "
            "introduced in each reader's language), never translated. Optional, except with `other`."
        ),
        too_long(
            lambda most, length: ngettext(
                "A reason takes at most %(num)d character; this one has %(length)d. Shorten it.",
                "A reason takes at most %(num)d characters; this one has %(length)d. Shorten it.",
                most,
                length=length,
            )
        ),
    ] = None


class Cancellation(RequestShape):
    """Why a booking is cancelled."""

    reason: Annotated[
        str,
        SAYS_SOMETHING,
        Field(max_length=CANCEL_REASON_MAX_CHARS),
        blank_or(lambda: _("Give a reason for the cancellation.")),
    ]


def _an_outcome(action: BookingAction) -> BookingAction:
    if action not in OUTCOME_ACTIONS:
        raise PydanticCustomError("outcome", "not an outcome")
    return action


class Outcome(RequestShape):
    """What went wrong with a session, and a note."""

    outcome: Annotated[
        BookingAction,
        AfterValidator(_an_outcome),
        WithJsonSchema({"type": "string", "enum": _OUTCOMES}),
        always(lambda: _("Choose one of: %(allowed)s.", allowed=", ".join(_OUTCOMES))),
    ]
    note: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=OUTCOME_NOTE_MAX_CHARS),
        too_long(
            lambda most, length: ngettext(
                "A note takes at most %(num)d character; this one has %(length)d. Shorten it.",
                "A note takes at most %(num)d characters; this one has %(length)d. Shorten it.",
                most,
                length=length,
            )
        ),
    ] = ""


class Assignment(RequestShape):
    """A coordinator's choice of interpreter for a leg, possibly against the engine's reasons."""

    interpreter_id: _INTERPRETER
    leg: Annotated[int, Field(ge=1, le=2), always(lambda: _("Give 1, or 2 for the second leg of a relay."))] = 1
    despite: bool = False


class Objection(RequestShape):
    """The interpreter of a booking the applicant objects to."""

    interpreter_id: _INTERPRETER


class CandidatesQuery(RequestShape):
    """Which leg's candidates to rank."""

    leg: Annotated[int, Field(ge=1, le=2), always(lambda: _("This booking has no such leg."))] = 1
