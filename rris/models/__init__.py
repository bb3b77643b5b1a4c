"""SQLAlchemy 2.0 typed models; importing this package registers every table."""

from rris.models.accounts import ApiToken, LoginAttempt, User, UserSession
from rris.models.bookings import (
    Assignment,
    Booking,
    BookingEvent,
    BookingRead,
    BookingSpecialisation,
    CaseObjection,
    IdempotencyRecord,
    Offer,
)
from rris.models.call_guests import CallGuest
from rris.models.callable_countries import CallableCountryList
from rris.models.calls import CallAttendance, CallStateChange, CallSummary
from rris.models.conflicts import BookingConflict, SweepRequest
from rris.models.geography import Country, CountryLanguage, Department
from rris.models.interpreters import (
    Accreditation,
    AvailabilityWindow,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    TimeOff,
)
from rris.models.languages import Dialect, Language
from rris.models.notifications import Notification
from rris.models.phone_legs import DialInFailure, PhoneLeg, PhoneLegEvent
from rris.models.phone_verification import PhoneVerification

__all__ = [
    "Assignment",
    "Booking",
    "BookingEvent",
    "BookingRead",
    "BookingSpecialisation",
    "BookingConflict",
    "CallableCountryList",
    "CallAttendance",
    "CallGuest",
    "CallStateChange",
    "CallSummary",
    "CaseObjection",
    "IdempotencyRecord",
    "Offer",
    "Accreditation",
    "ApiToken",
    "AvailabilityWindow",
    "Country",
    "CountryLanguage",
    "Department",
    "DialInFailure",
    "Dialect",
    "InterpreterProfile",
    "InterpreterSpecialisation",
    "Language",
    "LanguagePair",
    "LoginAttempt",
    "Notification",
    "PhoneLeg",
    "PhoneLegEvent",
    "PhoneVerification",
    "SweepRequest",
    "TimeOff",
    "User",
    "UserSession",
]
