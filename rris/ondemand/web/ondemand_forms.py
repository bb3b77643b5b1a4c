"""Forms of the on-demand pages. The officer's form reuses the booking form's fields (the same
labels, choices and widgets: an applicant's identifier is never written back); the request shape
(`rris.ondemand.services.ondemand_requests`) and `request_now` judge the values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from rris.bookings.web.booking_forms import BookingForm


class NowForm(FlaskForm):
    """What the officer asks for: the language pair now, and the case's constraints."""

    department_id = BookingForm.department_id
    applicant_language = BookingForm.applicant_language
    dialect = BookingForm.dialect
    officer_language = BookingForm.officer_language
    session_kind = BookingForm.session_kind
    modality = BookingForm.modality
    case_reference = BookingForm.case_reference
    applicant_identifier = BookingForm.applicant_identifier
    gender_rule = BookingForm.gender_rule
    gender = BookingForm.gender
    specialisations = BookingForm.specialisations
    # "Wait for one" sends the same request again with this set.
    wait = HiddenField()


class SwitchForm(FlaskForm):
    """The interpreter's "available now" switch: the state she asks for."""

    available = HiddenField()


# The fields of a request that "Wait for one" sends again and "Book instead" carries to the booking
# form. Never the applicant's identifier: RRIS holds it nowhere, so it is typed again.
CARRIED_FIELDS = (
    "department_id", "applicant_language", "dialect", "officer_language", "session_kind", "modality",
    "case_reference", "gender_rule", "gender", "specialisations",
)  # fmt: skip
