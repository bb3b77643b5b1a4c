"""Reading a booking's call: who was present, how long, how well connected, the delivered time,
and its telephone legs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rris.calls.domain.call_presence import rounded_minutes
from rris.calls.domain.call_quality import QualitySummary
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.enums import CallRole, PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg


@dataclass(frozen=True)
class AttendanceRow:
    """One participant's stretch in the call, as the booking page shows it."""

    name: str
    role: CallRole
    channel: str  # "browser" or "phone"
    joined_at: datetime
    left_at: datetime | None  # None: still in the call
    seconds: int | None  # None while still in the call
    left_reason: str | None
    quality: QualitySummary | None  # None when no sample was taken

    @property
    def minutes(self) -> int | None:
        return None if self.seconds is None else rounded_minutes(self.seconds)


@dataclass(frozen=True)
class PhoneLegRow:
    """One telephone call of the call: who, which way, the number's last digits, how it went."""

    name: str
    direction: PhoneDirection
    number_tail: str
    status: PhoneLegStatus
    requested_at: datetime
    seconds: int | None  # connected time (Twilio's billed duration); None while on or never connected
    simulated: bool

    @property
    def minutes(self) -> int | None:
        return None if self.seconds is None else rounded_minutes(self.seconds)


@dataclass(frozen=True)
class CallReport:
    """The attendances in the order people joined, the delivered time once counted, and the
    telephone legs in the order they were placed."""

    attendances: list[AttendanceRow]
    delivered_seconds: int | None  # None until an attendance closed
    phone_legs: list[PhoneLegRow] = field(default_factory=list)

    @property
    def delivered_minutes(self) -> int | None:
        return None if self.delivered_seconds is None else rounded_minutes(self.delivered_seconds)

    @property
    def phone_seconds(self) -> int:
        """Connected time of the telephone legs that ended: the telephone share of the call."""
        return sum(leg.seconds or 0 for leg in self.phone_legs)

    @property
    def phone_minutes(self) -> int:
        return rounded_minutes(self.phone_seconds)


def attendance_report(booking_id: int) -> CallReport | None:
    """The booking's call as the booking page shows it, or None when nobody ever joined or rang."""
    attendances = db.session.scalars(
        select(CallAttendance)
        .where(CallAttendance.booking_id == booking_id)
        .options(selectinload(CallAttendance.user))
        .order_by(CallAttendance.joined_at, CallAttendance.id)
    ).all()
    summary = db.session.get(CallSummary, booking_id)
    legs = db.session.scalars(
        select(PhoneLeg)
        .where(PhoneLeg.booking_id == booking_id)
        .options(selectinload(PhoneLeg.user))
        .order_by(PhoneLeg.requested_at, PhoneLeg.id)
    ).all()
    if not attendances and summary is None and not legs:
        return None
    return CallReport(
        attendances=[_row(attendance) for attendance in attendances],
        delivered_seconds=None if summary is None else summary.delivered_seconds,
        phone_legs=[_leg_row(leg) for leg in legs],
    )


def _row(attendance: CallAttendance) -> AttendanceRow:
    left_at = attendance.left_at
    return AttendanceRow(
        name=_name(attendance),
        role=attendance.role,
        channel=attendance.channel,
        joined_at=attendance.joined_at,
        left_at=left_at,
        seconds=None if left_at is None else int((left_at - attendance.joined_at).total_seconds()),
        left_reason=attendance.left_reason,
        quality=_quality(attendance),
    )


def _leg_row(leg: PhoneLeg) -> PhoneLegRow:
    seconds = leg.duration_seconds
    if leg.answered_at is None and not seconds:
        seconds = None  # never connected (busy, no answer, failed) or still ringing
    elif seconds is None and leg.ended_at is not None and leg.answered_at is not None:
        # Hung up by us, and Twilio's final report (with its billed duration) has not come.
        seconds = max(0, int((leg.ended_at - leg.answered_at).total_seconds()))
    return PhoneLegRow(
        name=leg.display_name if leg.user is None else leg.user.name,
        direction=leg.direction,
        number_tail=leg.number_tail,
        status=leg.status,
        requested_at=leg.requested_at,
        seconds=seconds,
        simulated=leg.simulated,
    )


def _name(attendance: CallAttendance) -> str:
    # The portal's readers (officers, coordinators) know people by their full names; the call's
    # display name (an interpreter's chosen one) is for the room.
    if attendance.user is not None:
        return attendance.user.name
    if attendance.display_name:
        return attendance.display_name
    return attendance.participant or "?"


def _quality(attendance: CallAttendance) -> QualitySummary | None:
    if not attendance.quality_samples:
        return None
    return QualitySummary(
        samples=attendance.quality_samples,
        rtt_ms_mean=attendance.rtt_ms_mean,
        rtt_ms_max=attendance.rtt_ms_max,
        loss_percent_mean=attendance.loss_percent_mean,
        loss_percent_max=attendance.loss_percent_max,
        bitrate_kbps_mean=attendance.bitrate_kbps_mean,
        poor_samples=attendance.poor_samples,
    )
