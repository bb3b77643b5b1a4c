"""SQLAlchemy 2.0 typed models; importing this package registers every table."""

from rris.accounts.models.accounts import ApiToken, LoginAttempt, User, UserSession
from rris.bookings.models.bookings import (
    Assignment,
    Booking,
    BookingEvent,
    BookingRead,
    BookingSpecialisation,
    CaseObjection,
    IdempotencyRecord,
    Offer,
)
from rris.calls.models.call_guests import CallGuest
from rris.calls.models.calls import CallAttendance, CallStateChange, CallSummary
from rris.matching.models.conflicts import BookingConflict, SweepRequest
from rris.notifications.models.notifications import Notification
from rris.phone.models.callable_countries import CallableCountryList
from rris.phone.models.phone_legs import DialInFailure, PhoneLeg, PhoneLegEvent
from rris.phone.models.phone_verification import PhoneVerification
from rris.pool.models.geography import Country, CountryLanguage, Department
from rris.pool.models.interpreters import (
    Accreditation,
    AvailabilityWindow,
    InterpreterProfile,
    InterpreterSpecialisation,
    LanguagePair,
    TimeOff,
)
from rris.pool.models.languages import Dialect, Language

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
