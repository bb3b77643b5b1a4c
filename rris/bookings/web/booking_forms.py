"""Forms of the booking pages. They render the fields and carry the CSRF token; the request
shapes (`rris.bookings.services.booking_requests`) and the services judge the values, so a
booking or a new time is described once for the pages and the API alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from rris.bookings.domain.session_kinds import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from rris.bookings.models.bookings import NOTES_MAX_CHARS
from rris.bookings.services.booking_requests import MOVE_NOTE_MAX_CHARS, OUTCOME_NOTE_MAX_CHARS
from rris.common.domain.record_ids import MAX_ID
from rris.common.services.wording import LABELS
from rris.common.web.forms import LongSelect, MaxChars
from rris.enums import MoveReason

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M"]
# What the removed validators used to say to the browser; the shapes now do the judging.
_REQUIRED = {"required": True}
_DURATION_RANGE = {"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES}
_AN_INTERPRETER = NumberRange(min=1, max=MAX_ID, message=_l("Choose an interpreter."))


class UnechoedTextInput(TextInput):
    """A text box that never writes its value back into the page, even after an error: for the
    applicant's regional identifier, which RRIS must not hold or show anywhere."""

    def __call__(self, field, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["value"] = ""
        return super().__call__(field, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BookingForm(FlaskForm):
    department_id = SelectField(_l("Department"), coerce=int)
    applicant_language = SelectField(_l("Applicant's language"), render_kw=_REQUIRED)
    dialect = SelectField(_l("Dialect (if it matters)"), validate_choice=False)
    officer_language = SelectField(_l("Language the officer speaks"), render_kw=_REQUIRED)
    session_kind = SelectField(_l("Session"))
    start_local = DateTimeLocalField(
        _l("Starts (department's local time)"), format=LOCAL_INPUT_FORMATS, render_kw=_REQUIRED
    )
    start_occurrence = RadioField(
        _l("The clocks go back that night: which one?"),
        choices=[("0", _l("the first (summer time)")), ("1", _l("the second (winter time)"))],
        validate_choice=False,
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes (empty: the usual for this session)"), render_kw=_DURATION_RANGE
    )
    modality = RadioField(_l("How"), default="video")
    # No maxlength: a browser would cut pasted text silently. The shape refuses a long one.
    case_reference = StringField(_l("Your case reference (never the applicant's name)"), render_kw=_REQUIRED)
    applicant_identifier = StringField(
        _l("Applicant's regional identifier (optional)"),
        widget=UnechoedTextInput(),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    notes = TextAreaField(
        _l("Notes to the interpreter (nothing that identifies the applicant)"),
        # No maxlength: a browser would cut pasted text silently. The service refuses long notes.
        render_kw={"data-max-chars": NOTES_MAX_CHARS},
    )
    gender_rule = RadioField(_l("Interpreter's gender"), default="none")
    gender = SelectField(_l("Gender"), validate_choice=False)
    specialisations = MultiCheckboxField(_l("Experience needed"))
    continuity = BooleanField(_l("Same interpreter as last time for this case, if free"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why is the session cancelled?"), validators=[DataRequired(_l("Give a reason."))])


class RescheduleForm(FlaskForm):
    start_local = DateTimeLocalField(
        _l("New start (department's local time)"), format=LOCAL_INPUT_FORMATS, render_kw=_REQUIRED
    )
    duration_minutes = IntegerField(_l("Duration in minutes (empty: unchanged)"), render_kw=_DURATION_RANGE)
    reason = SelectField(
        _l("Why it moves"),
        # Each reader is told the chosen reason in their own language; the words below go as written.
        choices=[("", _l("(not said)"))] + [(reason.value, LABELS[(MoveReason, reason)]) for reason in MoveReason],
        validate_choice=False,
        id="move_reason",  # posted as `reason`; the page's cancel form has a field of that name too
    )
    reason_text = TextAreaField(
        _l("In your own words (optional; needed with “Another reason”)"),
        render_kw={"data-max-chars": MOVE_NOTE_MAX_CHARS, "rows": 2},
    )


class AssignForm(FlaskForm):
    interpreter_id = SelectField(_l("Interpreter"), coerce=int, validators=[_AN_INTERPRETER], widget=LongSelect())
    leg = SelectField(_l("Leg"), coerce=int, choices=[(1, "1"), (2, "2")])
    despite = BooleanField(_l("Assign even though the engine would not (reasons shown)"))


class ObjectionForm(FlaskForm):
    interpreter_id = IntegerField(validators=[DataRequired(), _AN_INTERPRETER])


class OutcomeForm(FlaskForm):
    """What went wrong with a session: the button pressed (`outcome`) and an optional note."""

    note = TextAreaField(
        _l("What happened (optional)"),
        # No maxlength: a browser would cut pasted text silently. The service refuses long notes.
        render_kw={"data-max-chars": OUTCOME_NOTE_MAX_CHARS, "rows": 2},
    )


class ReofferForm(FlaskForm):
    """Only the CSRF token: releasing a conflicted interpreter needs no other input."""


class GuestInviteForm(FlaskForm):
    """A legal adviser or guardian to bring into the call by link."""

    kind = SelectField(_l("Who"), choices=[("legal_adviser", _l("Legal adviser")), ("guardian", _l("Guardian"))])
    display_name = StringField(
        _l("Name shown in the call"),
        validators=[DataRequired(), MaxChars(80)],
    )


class GuestWithdrawForm(FlaskForm):
    """Only the CSRF token."""
