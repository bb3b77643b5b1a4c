"""Interpreter profiles: working pairs, dialects, accreditation, training, availability."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.common.models.types import UTCDateTime, enum_type
from rris.enums import Employment, Gender, Proficiency, Specialisation, Weekday
from rris.extensions import Model, db
from rris.pool.models.geography import Country
from rris.pool.models.languages import Dialect, Language

MINUTES_PER_DAY = 24 * 60


class InterpreterProfile(Model):
    """What the matching engine needs to know about one interpreter."""

    __tablename__ = "interpreter_profiles"
    __table_args__ = (
        CheckConstraint("daily_cap_minutes BETWEEN 30 AND 720", name="daily_cap_range"),
        CheckConstraint("rest_gap_minutes BETWEEN 0 AND 240", name="rest_gap_range"),
        CheckConstraint("hourly_rate >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    gender: Mapped[Gender] = mapped_column(enum_type(Gender))
    timezone: Mapped[str] = mapped_column(String(64))
    employment: Mapped[Employment] = mapped_column(enum_type(Employment), default=Employment.FREELANCE)
    daily_cap_minutes: Mapped[int] = mapped_column(SmallInteger, default=360)
    rest_gap_minutes: Mapped[int] = mapped_column(SmallInteger, default=15)
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    rate_currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # The name the interpreter goes by in calls (rris.calls.domain.call_names); None: their first name.
    call_name: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="interpreter_profile")
    language_pairs: Mapped[list[LanguagePair]] = relationship(
        back_populates="interpreter", cascade="all, delete-orphan", order_by="LanguagePair.id"
    )
    dialects: Mapped[list[Dialect]] = relationship(secondary=lambda: interpreter_dialects, order_by="Dialect.name")
    accreditations: Mapped[list[Accreditation]] = relationship(
        back_populates="interpreter", cascade="all, delete-orphan", order_by="Accreditation.valid_to"
    )
    specialisations: Mapped[list[InterpreterSpecialisation]] = relationship(
        back_populates="interpreter", cascade="all, delete-orphan"
    )
    availability: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="interpreter",
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)",
    )
    time_off: Mapped[list[TimeOff]] = relationship(
        back_populates="interpreter", cascade="all, delete-orphan", order_by="TimeOff.starts_at"
    )

    @property
    def name(self) -> str:
        return self.user.name

    def __repr__(self) -> str:
        return f"<InterpreterProfile {self.id}>"


class LanguagePair(Model):
    """A pair the interpreter works in, in both directions; stored with codes in order."""

    __tablename__ = "language_pairs"
    __table_args__ = (
        UniqueConstraint("interpreter_id", "language_a", "language_b"),
        CheckConstraint("language_a < language_b", name="codes_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), index=True)
    language_a: Mapped[str] = mapped_column(ForeignKey("languages.code"), index=True)
    language_b: Mapped[str] = mapped_column(ForeignKey("languages.code"), index=True)
    proficiency: Mapped[Proficiency] = mapped_column(enum_type(Proficiency))

    interpreter: Mapped[InterpreterProfile] = relationship(back_populates="language_pairs")
    first_language: Mapped[Language] = relationship(foreign_keys=[language_a])
    second_language: Mapped[Language] = relationship(foreign_keys=[language_b])

    @classmethod
    def between(cls, one: str, other: str, proficiency: Proficiency) -> LanguagePair:
        """A pair of two different language codes, in either order."""
        if one == other:
            raise ValueError("a working pair needs two different languages")
        first, second = sorted((one, other))
        return cls(language_a=first, language_b=second, proficiency=proficiency)


# The dialects an interpreter understands and speaks (a plain association, no extra data).
interpreter_dialects: Table = Table(
    "interpreter_dialects",
    db.metadata,
    Column("interpreter_id", ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("dialect_id", ForeignKey("dialects.id"), primary_key=True),
)


class Accreditation(Model):
    """A country's clearance for the interpreter to work in its procedures, from/to inclusive."""

    __tablename__ = "accreditations"
    __table_args__ = (
        UniqueConstraint("interpreter_id", "country_id", "valid_from"),
        CheckConstraint("valid_to >= valid_from", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(100))

    interpreter: Mapped[InterpreterProfile] = relationship(back_populates="accreditations")
    country: Mapped[Country] = relationship()

    def is_valid_on(self, day: date) -> bool:
        """True when the clearance covers `day`."""
        return self.valid_from <= day <= self.valid_to


class InterpreterSpecialisation(Model):
    """Training or experience (trauma, children, medical, legal, cultural mediation...)."""

    __tablename__ = "interpreter_specialisations"

    interpreter_id: Mapped[int] = mapped_column(
        ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    specialisation: Mapped[Specialisation] = mapped_column(enum_type(Specialisation), primary_key=True)
    trained_on: Mapped[date | None] = mapped_column(Date)

    interpreter: Mapped[InterpreterProfile] = relationship(back_populates="specialisations")


class AvailabilityWindow(Model):
    """A weekly window of availability, in minutes after midnight of the interpreter's zone.

    `weekday` counts like `datetime.weekday()`: 0 is Monday.
    """

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_in_day"),
        CheckConstraint("end_minute > start_minute AND end_minute <= 1440", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)

    interpreter: Mapped[InterpreterProfile] = relationship(back_populates="availability")

    @property
    def day(self) -> Weekday:
        """The weekday as a name."""
        return Weekday.from_number(self.weekday)

    @property
    def label(self) -> str:
        """'09:00-17:30' in the interpreter's own zone."""
        return f"{_hhmm(self.start_minute)}\u2013{_hhmm(self.end_minute)}"


class TimeOff(Model):
    """A period the interpreter is away, as UTC instants (entered in their own zone)."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))

    interpreter: Mapped[InterpreterProfile] = relationship(back_populates="time_off")


class InterpreterDeactivation(Model):
    """A coordinator took the interpreter out of the pool: when, by whom, why, and until when.

    `InterpreterProfile.active` is what the matching engine reads; these rows are its history.
    """

    __tablename__ = "interpreter_deactivations"
    __table_args__ = (CheckConstraint("reactivated_at IS NULL OR reactivated_at >= deactivated_at", name="in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(ForeignKey("interpreter_profiles.id", ondelete="CASCADE"), index=True)
    deactivated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    reactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    interpreter: Mapped[InterpreterProfile] = relationship()
    deactivated_by: Mapped[User | None] = relationship(foreign_keys=[deactivated_by_id])
    reactivated_by: Mapped[User | None] = relationship(foreign_keys=[reactivated_by_id])


def _hhmm(minutes: int) -> str:
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}"
