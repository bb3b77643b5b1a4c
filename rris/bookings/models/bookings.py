"""Bookings, the interpreters assigned to them, offers, history, objections, idempotency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.bookings.domain.applicant_keys import KEY_DIGEST_CHARS
from rris.bookings.domain.booking_states import FINAL_STATES
from rris.common.models.types import UTCDateTime, enum_type, unique_while_null
from rris.enums import BookingState, Gender, GenderRule, Modality, MoveReason, OfferState, SessionKind, Specialisation
from rris.extensions import Model
from rris.pool.domain.languages import RELAY_LANGUAGE
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile

NOTES_MAX_CHARS = 1000
CASE_REFERENCE_MAX_CHARS = 64
# Partial indexes' conditions (migration 0031): a booking not in a final state, an assignment still held.
_OPEN = text("state IN (" + ", ".join(f"'{state.value}'" for state in BookingState if state not in FINAL_STATES) + ")")
_HELD = text("released_at IS NULL")


class Booking(Model):
    """A session that needs an interpreter (two, when relayed through English).

    No applicant name is stored: the department's own case reference identifies the case, and
    the optional regional applicant key (a keyed hash, never the identifier) links the
    applicant's bookings across countries.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("applicant_language <> officer_language", name="two_languages"),
        Index("ix_bookings_case", "country_id", "case_reference"),
        Index("ix_bookings_starts_at_state", "starts_at", "state"),
        Index("ix_bookings_applicant_key", "applicant_key"),
        # The open bookings by start: the upcoming list starts where they start, not at the first booking ever made.
        Index("ix_bookings_open_starts_at", "starts_at", "id", postgresql_where=_OPEN, sqlite_where=_OPEN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applicant_language: Mapped[str] = mapped_column(ForeignKey("languages.code"))
    officer_language: Mapped[str] = mapped_column(ForeignKey("languages.code"))
    dialect: Mapped[str | None] = mapped_column(String(100))
    session_kind: Mapped[SessionKind] = mapped_column(enum_type(SessionKind))
    modality: Mapped[Modality] = mapped_column(enum_type(Modality))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    case_reference: Mapped[str] = mapped_column(String(CASE_REFERENCE_MAX_CHARS))
    # HMAC-SHA256 (hex) of the applicant's regional identifier and the version of the pool
    # secret that made it; both empty when the caseworker gave no identifier.
    applicant_key: Mapped[str | None] = mapped_column(String(KEY_DIGEST_CHARS))
    applicant_key_version: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender))
    gender_rule: Mapped[GenderRule] = mapped_column(enum_type(GenderRule), default=GenderRule.NONE)
    continuity: Mapped[bool] = mapped_column(Boolean, default=False)
    relay: Mapped[bool] = mapped_column(Boolean, default=False)
    # Asked for "an interpreter now" rather than booked ahead (`rris.ondemand`): its start is when
    # the call was answered and its end when it was hung up.
    on_demand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    state: Mapped[BookingState] = mapped_column(enum_type(BookingState), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    offer_wave: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_late: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it was last moved: the reason chosen from the list, the mover's own words (kept as they
    # wrote them, in their language: shown quoted, never translated) and who moved it.
    move_reason: Mapped[MoveReason | None] = mapped_column(enum_type(MoveReason))
    move_note: Mapped[str | None] = mapped_column(Text)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the participants' calendars were last told: the sequence of the latest invitation
    # and a digest of its content, so only a real change sends an update.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    calendar_digest: Mapped[str | None] = mapped_column(String(64))
    # The call's room: random, made when the first join ticket is issued, never derived from the id.
    call_room: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    # The PIN a caller types on the dial-in line: 6 digits, made with the call room, unique among
    # the bookings whose call is not over (older bookings may share it).
    dial_in_pin: Mapped[str | None] = mapped_column(String(6), index=True)

    department: Mapped[Department] = relationship()
    country: Mapped[Country] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    moved_by: Mapped[User | None] = relationship(foreign_keys=[moved_by_id])
    specialisations: Mapped[list[BookingSpecialisation]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="booking", order_by="Assignment.id", cascade="all, delete-orphan"
    )
    offers: Mapped[list[Offer]] = relationship(
        back_populates="booking", order_by="Offer.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan"
    )

    @property
    def leg_count(self) -> int:
        """1, or 2 when relayed through English."""
        return 2 if self.relay else 1

    @property
    def active_assignments(self) -> list[Assignment]:
        return [assignment for assignment in self.assignments if assignment.released_at is None]

    def leg_assigned(self, leg: int) -> bool:
        """True when an interpreter holds `leg`."""
        return any(assignment.leg == leg for assignment in self.active_assignments)

    @property
    def fully_assigned(self) -> bool:
        """True when every leg has its interpreter."""
        return all(self.leg_assigned(leg) for leg in range(1, self.leg_count + 1))

    def leg_languages(self, leg: int) -> tuple[str, str]:
        """The pair interpreted on `leg`: in a relay, leg 1 is the applicant's side, leg 2 the officer's."""
        if not self.relay:
            return self.applicant_language, self.officer_language
        if leg == 1:
            return self.applicant_language, RELAY_LANGUAGE
        return RELAY_LANGUAGE, self.officer_language

    def __repr__(self) -> str:
        return f"<Booking {self.code} {self.state}>"


class BookingSpecialisation(Model):
    """Training the booking needs (children, trauma, medical, legal...)."""

    __tablename__ = "booking_specialisations"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    specialisation: Mapped[Specialisation] = mapped_column(enum_type(Specialisation), primary_key=True)

    booking: Mapped[Booking] = relationship(back_populates="specialisations")


class Assignment(Model):
    """An interpreter confirmed for one leg of a booking; blocks their time while not released.

    `busy_from`/`busy_until` are the session widened by the interpreter's rest gap on both sides
    (`rris.matching.domain.clashes.busy_interval`). The database refuses two unreleased assignments of one
    interpreter whose busy spans overlap (`jobs_clash`): an exclusion constraint on PostgreSQL, a
    trigger on SQLite (see the migrations).
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("busy_until > busy_from", name="busy_in_order"),
        CheckConstraint("leg IN (1, 2)", name="leg_one_or_two"),
        unique_while_null("uq_assignments_active_leg", "booking_id", "leg", null_column="released_at"),
        Index("ix_assignments_interpreter_busy", "interpreter_id", "busy_from", "busy_until"),
        # Held jobs by the end of their busy span: those not over yet, without reading the past ones.
        Index("ix_assignments_held_until", "interpreter_id", "busy_until", postgresql_where=_HELD, sqlite_where=_HELD),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    leg: Mapped[int] = mapped_column(SmallInteger, default=1)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id"))
    busy_from: Mapped[datetime] = mapped_column(UTCDateTime())
    busy_until: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str | None] = mapped_column(String(200))
    # Rejection reasons a coordinator overrode when assigning by hand: not flagged as conflicts later.
    waived_reasons: Mapped[str | None] = mapped_column(String(300))

    booking: Mapped[Booking] = relationship(back_populates="assignments")
    interpreter: Mapped[InterpreterProfile] = relationship()


class Offer(Model):
    """A job offered to one interpreter for one leg, in a wave, until it expires."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("booking_id", "booking_version", "leg", "interpreter_id"),
        Index("ix_offers_interpreter_state", "interpreter_id", "state"),
        Index("ix_offers_state_expires", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    booking_version: Mapped[int] = mapped_column(Integer)
    leg: Mapped[int] = mapped_column(SmallInteger, default=1)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id"))
    wave: Mapped[int] = mapped_column(SmallInteger)
    rank: Mapped[int] = mapped_column(SmallInteger)
    score: Mapped[int] = mapped_column(SmallInteger)
    state: Mapped[OfferState] = mapped_column(enum_type(OfferState))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(String(500))

    booking: Mapped[Booking] = relationship(back_populates="offers")
    interpreter: Mapped[InterpreterProfile] = relationship()


class BookingEvent(Model):
    """One line of a booking's history: what happened, when, by whom, from which state."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[BookingState | None] = mapped_column(enum_type(BookingState, name="from_state"))
    to_state: Mapped[BookingState | None] = mapped_column(enum_type(BookingState, name="to_state"))
    note: Mapped[str | None] = mapped_column(Text)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class CaseObjection(Model):
    """An applicant objected to an interpreter; enforced on every booking of that case and,
    through the regional applicant key, on the applicant's bookings in every country."""

    __tablename__ = "case_objections"
    __table_args__ = (
        UniqueConstraint("country_id", "case_reference", "interpreter_id"),
        Index("ix_case_objections_applicant_key", "applicant_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    case_reference: Mapped[str] = mapped_column(String(CASE_REFERENCE_MAX_CHARS))
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id"))
    applicant_key: Mapped[str | None] = mapped_column(String(KEY_DIGEST_CHARS))
    applicant_key_version: Mapped[int | None] = mapped_column(SmallInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class IdempotencyRecord(Model):
    """The answer to a creating request, kept so a retry with the same key gets it again."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
