"""Enumerations shared by every layer (a leaf module: imports nothing of the project)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in RRIS; decides what they may do and see."""

    CASEWORKER = "caseworker"
    FOCAL_POINT = "focal_point"
    INTERPRETER = "interpreter"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Gender(StrEnum):
    """Interpreter gender, as far as a booking may require or prefer it."""

    FEMALE = "female"
    MALE = "male"


class Proficiency(StrEnum):
    """How well an interpreter masters a working pair (CEFR levels plus native)."""

    NATIVE = "native"
    C2 = "c2"
    C1 = "c1"
    B2 = "b2"

    @property
    def rank(self) -> int:
        """Higher is better; used by ranking and sorting."""
        return {"native": 4, "c2": 3, "c1": 2, "b2": 1}[self.value]


class Specialisation(StrEnum):
    """Training and experience a booking can ask for."""

    TRAUMA = "trauma"
    CHILDREN = "children"
    MEDICAL = "medical"
    LEGAL = "legal"
    CULTURAL_MEDIATION = "cultural_mediation"
    GENDER_BASED_VIOLENCE = "gender_based_violence"


class Employment(StrEnum):
    """Whether the pool employs the interpreter or contracts them per job."""

    STAFF = "staff"
    FREELANCE = "freelance"


class Weekday(StrEnum):
    """Days of the week, Monday first as in ISO 8601 and `datetime.weekday()`."""

    MONDAY = "mon"
    TUESDAY = "tue"
    WEDNESDAY = "wed"
    THURSDAY = "thu"
    FRIDAY = "fri"
    SATURDAY = "sat"
    SUNDAY = "sun"

    @property
    def number(self) -> int:
        """0 for Monday to 6 for Sunday, as `datetime.weekday()` counts."""
        return list(Weekday).index(self)

    @classmethod
    def from_number(cls, number: int) -> Weekday:
        """The weekday `datetime.weekday()` calls `number`."""
        return list(cls)[number]


class BookingState(StrEnum):
    """Where a booking stands; `rris.bookings.domain.booking_states` says how it may move."""

    REQUESTED = "requested"
    OFFERED = "offered"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    UNFILLED = "unfilled"
    INTERPRETER_NO_SHOW = "interpreter_no_show"
    APPLICANT_NO_SHOW = "applicant_no_show"
    WRONG_LANGUAGE = "wrong_language"
    TECHNICAL_FAILURE = "technical_failure"


class SessionKind(StrEnum):
    """What the session is for; each kind has a usual duration."""

    ASYLUM_INTERVIEW = "asylum_interview"
    REGISTRATION = "registration"
    RECEPTION = "reception"
    MEDICAL = "medical"
    LEGAL_COUNSELLING = "legal_counselling"
    RETURN_COUNSELLING = "return_counselling"
    AGE_ASSESSMENT = "age_assessment"
    VULNERABILITY_ASSESSMENT = "vulnerability_assessment"


class MoveReason(StrEnum):
    """Why a booking was moved, as the mover chose it from the list (OTHER: their own words)."""

    APPLICANT_ILL = "applicant_ill"
    OFFICER_UNAVAILABLE = "officer_unavailable"
    ROOM_OR_EQUIPMENT = "room_or_equipment"
    OTHER = "other"


class Modality(StrEnum):
    """How the interpreter takes part."""

    VIDEO = "video"
    PHONE = "phone"


class GenderRule(StrEnum):
    """How strictly a booking wants an interpreter of a gender."""

    NONE = "none"
    PREFERRED = "preferred"
    REQUIRED = "required"


class OfferState(StrEnum):
    """An offer of a booking to one interpreter."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class NotificationKind(StrEnum):
    """What a message in the outbox is about."""

    OFFER = "offer"
    INVITATION = "invitation"  # iCalendar REQUEST: a new session or a change to it
    INVITATION_CANCEL = "invitation_cancel"  # iCalendar CANCEL
    REMINDER_24H = "reminder_24h"
    REMINDER_1H = "reminder_1h"
    JOIN_NOW = "join_now"
    UNFILLED = "unfilled"
    UNFILLED_24H = "unfilled_24h"
    UNFILLED_2H = "unfilled_2h"
    CONFLICT = "conflict"
    NO_SHOW = "no_show"


class Channel(StrEnum):
    """How a message travels."""

    EMAIL = "email"
    SMS = "sms"


class NotificationState(StrEnum):
    """Where a message in the outbox stands."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by the dispatcher; the send is under way
    SENT = "sent"
    SKIPPED = "skipped"  # no longer useful or superseded: never sent
    FAILED = "failed"  # the provider refused it for good
    UNCERTAIN = "uncertain"  # the dispatcher died mid-send: maybe delivered, never retried


class CallRole(StrEnum):
    """Who a participant of a call is."""

    OFFICER = "officer"
    INTERPRETER = "interpreter"
    GUEST = "guest"  # a legal adviser or guardian invited by link


class GuestKind(StrEnum):
    """Who a guest of a call is."""

    LEGAL_ADVISER = "legal_adviser"
    GUARDIAN = "guardian"


class PhoneDirection(StrEnum):
    """Which way a telephone leg of a call was placed."""

    OUTBOUND = "outbound"  # RRIS rang a participant's verified number
    INBOUND = "inbound"  # a caller dialled the dial-in number and gave the booking's PIN


class PhoneLegStatus(StrEnum):
    """Where a telephone leg stands: Twilio's call statuses plus our own first one."""

    REQUESTED = "requested"  # recorded by RRIS, not yet accepted by Twilio
    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        """True once the leg is over: nothing moves it any more."""
        return self in _FINAL_LEG_STATUSES

    @property
    def rank(self) -> int:
        """Order of the statuses in a call's life; Twilio's callbacks may arrive out of order."""
        return list(PhoneLegStatus).index(self) if not self.is_final else len(PhoneLegStatus)


_FINAL_LEG_STATUSES = frozenset(
    {
        PhoneLegStatus.COMPLETED,
        PhoneLegStatus.BUSY,
        PhoneLegStatus.NO_ANSWER,
        PhoneLegStatus.FAILED,
        PhoneLegStatus.CANCELED,
    }
)
