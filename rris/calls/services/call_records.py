"""Call records: the one way call events reach the database.

The signalling service calls these from a worker thread inside an app context. It knows the
booking id, participant (a person, a guest, or a telephone leg), role and
display name from the join ticket, and gives every WebSocket connection a random id; every
event after the join names only that connection id. Events are idempotent, and data the
database no longer matches (a booking deleted, a connection never recorded) is logged and
ignored rather than raised into the call. Wrong argument shapes are programming errors and
raise ValueError.

Each attendance that closes recomputes the booking's CallSummary: the seconds an officer and
an interpreter were in the call together, which billing and reports count.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.exc import NoResultFound

from rris.accounts.models.accounts import User
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_presence import Span, delivered_seconds
from rris.calls.domain.call_quality import QualitySummary
from rris.calls.models.calls import CallAttendance, CallStateChange, CallSummary
from rris.common.services.transactions import begin_write, lock_booking
from rris.enums import CallRole
from rris.extensions import db

log = logging.getLogger(__name__)

CHANNELS = frozenset({"browser", "phone"})
# Why a participant left; the signalling service may use others (up to 24 characters).
LEFT = "left"  # hung up
GONE = "gone"  # the connection dropped and did not come back in time
REPLACED = "replaced"  # the same participant joined again from another connection
CALL_OVER = "call_over"  # the session's time ran out
SERVICE_RESTART = "service_restart"  # the signalling service stopped with the connection open

_PARTICIPANT_CHARS = 40
_NAME_CHARS = 80
_CONNECTION_CHARS = 40
_REASON_CHARS = 24
_STATE_CHARS = 16


def record_join(
    booking_id: int,
    participant: Participant,
    role: CallRole,
    display_name: str,
    channel: str,
    connection_id: str,
    at: datetime,
    resumed_elsewhere: bool = False,
) -> None:
    """Open an attendance for a new connection; a connection id already recorded changes nothing.

    `resumed_elsewhere`: the page came back to a node that knew nothing of it (its node was
    killed, or stopped); the participant's attendances still open end at `at`, so the records
    show one stay through the move instead of a gap until the orphans are found.
    """
    _require(isinstance(role, CallRole), "role must be a CallRole")
    _require(isinstance(participant, Participant), f"participant must be a Participant, not {participant!r}")
    _require(0 < len(display_name or "") <= _NAME_CHARS, f"display_name must have 1 to {_NAME_CHARS} characters")
    _require(channel in CHANNELS, f"channel must be one of {sorted(CHANNELS)}, not {channel!r}")
    _require_connection(connection_id)
    _require_aware(at)
    begin_write()
    if not _lock_if_exists(booking_id):
        db.session.commit()
        log.warning("call join for unknown booking %s ignored (connection %s)", booking_id, connection_id)
        return
    if db.session.scalar(select(CallAttendance.id).where(CallAttendance.connection_id == connection_id)) is not None:
        db.session.commit()
        log.info("call join for connection %s repeated; already recorded", connection_id)
        return
    if resumed_elsewhere:
        _end_stays_elsewhere(booking_id, participant.encode(), at)
    user_id = _existing_user_id(participant.user_id) if participant.user_id is not None else None  # phones too
    db.session.add(
        CallAttendance(
            booking_id=booking_id,
            user_id=user_id,
            role=role,
            channel=channel,
            joined_at=at,
            last_seen_at=at,
            participant=participant.encode(),
            display_name=display_name,
            connection_id=connection_id,
        )
    )
    db.session.commit()
    log.info("call %s: %s joined as %s by %s", booking_id, participant, role.value, channel)


def record_state(connection_id: str, peer: str, state: str, at: datetime) -> None:
    """Note the connection state towards `peer` if it changed since the last one noted; the
    connection counts as seen at `at`."""
    _require_connection(connection_id)
    _require_aware(at)
    # Peer and state come from the browser: what does not fit is its fault, not the caller's.
    if not (0 < len(peer or "") <= _PARTICIPANT_CHARS and 0 < len(state or "") <= _STATE_CHARS):
        log.warning("call state %.20r towards %.50r of connection %s ignored", state, peer, connection_id)
        return
    begin_write()
    attendance = _locked_attendance(connection_id, "state")
    if attendance is None or attendance.left_at is not None:
        db.session.commit()
        return
    last = db.session.scalar(
        select(CallStateChange.state)
        .where(CallStateChange.attendance_id == attendance.id, CallStateChange.peer == peer)
        .order_by(CallStateChange.id.desc())
        .limit(1)
    )
    if last != state:
        db.session.add(CallStateChange(attendance_id=attendance.id, peer=peer, state=state, at=at))
    _seen(attendance, at)
    db.session.commit()


def touch(connection_ids: Collection[str], at: datetime) -> None:
    """Mark the open attendances of these connections as seen at `at`, in one statement.

    No booking is locked: only `last_seen_at` moves (never backwards), and `close_orphans`
    re-reads it under the booking's lock before deciding anything on it.
    """
    _require_aware(at)
    if not connection_ids:
        return
    begin_write()
    db.session.execute(
        update(CallAttendance)
        .where(
            CallAttendance.connection_id.in_(list(connection_ids)),
            CallAttendance.left_at.is_(None),
            or_(CallAttendance.last_seen_at.is_(None), CallAttendance.last_seen_at < at),
        )
        .values(last_seen_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def record_leave(connection_id: str, at: datetime, reason: str, quality: QualitySummary | None) -> None:
    """Close the connection's attendance with why it ended and its quality, and recompute the
    booking's summary. An attendance already closed stays as it was."""
    _require_connection(connection_id)
    _require(0 < len(reason or "") <= _REASON_CHARS, f"reason must have 1 to {_REASON_CHARS} characters")
    _require(quality is None or isinstance(quality, QualitySummary), "quality must be a QualitySummary or None")
    _require_aware(at)
    begin_write()
    attendance = _locked_attendance(connection_id, "leave")
    if attendance is None or attendance.left_at is not None:
        db.session.commit()
        return
    # A clock that stepped back must not produce a negative stay.
    attendance.left_at = max(at, attendance.joined_at)
    attendance.left_reason = reason
    _seen(attendance, attendance.left_at)
    if quality is not None:
        _store_quality(attendance, quality)
    db.session.flush()
    recompute_summary(attendance.booking_id, at)
    booking_id, participant = attendance.booking_id, attendance.participant
    db.session.commit()
    log.info("call %s: %s left (%s, connection %s)", booking_id, participant, reason, connection_id)


def close_orphans(seen_before: datetime, at: datetime) -> int:
    """Close attendances still open but not seen since before `seen_before` (a signalling service
    stopped without saying goodbye): each ends when it was last seen, never after `at`, with the
    reason SERVICE_RESTART, and its booking's summary is recomputed. Returns how many were closed.
    """
    _require_aware(seen_before)
    _require_aware(at)
    bookings = list(
        db.session.scalars(
            select(CallAttendance.booking_id).where(_stale(seen_before)).distinct().order_by(CallAttendance.booking_id)
        )
    )
    db.session.commit()
    closed = 0
    for booking_id in bookings:
        begin_write()
        if _lock_if_exists(booking_id):
            orphans = db.session.scalars(
                select(CallAttendance)
                .where(CallAttendance.booking_id == booking_id, _stale(seen_before))
                .execution_options(populate_existing=True)
            ).all()
            for attendance in orphans:
                seen = attendance.last_seen_at or attendance.joined_at
                attendance.left_at = max(attendance.joined_at, min(seen, at))
                attendance.left_reason = SERVICE_RESTART
            if orphans:
                db.session.flush()
                recompute_summary(booking_id, at)
            closed += len(orphans)
        db.session.commit()
    if closed:
        log.warning("closed %d call attendances left open by a signalling service that stopped", closed)
    return closed


def recompute_summary(booking_id: int, now: datetime) -> CallSummary | None:
    """Bring the booking's CallSummary up to date with its attendances; the caller holds the
    write transaction and the booking's lock, and commits.

    Officer and interpreter sides count, by browser or by phone alike; guests do not. An
    attendance still open counts until it was last seen. With no attendances left (purged),
    the summary stays as it was.
    """
    a = CallAttendance
    rows = db.session.execute(
        select(a.role, a.joined_at, a.left_at, a.last_seen_at).where(a.booking_id == booking_id)
    ).all()
    summary = db.session.get(CallSummary, booking_id, populate_existing=True)
    if not rows:
        return summary
    spans: dict[CallRole, list[Span]] = {CallRole.OFFICER: [], CallRole.INTERPRETER: []}
    for role, joined_at, left_at, last_seen_at in rows:
        if role in spans:
            spans[role].append((joined_at, _end(joined_at, left_at, last_seen_at)))
    if summary is None:
        summary = CallSummary(booking_id=booking_id)
        db.session.add(summary)
    summary.delivered_seconds = delivered_seconds(spans[CallRole.OFFICER], spans[CallRole.INTERPRETER])
    summary.first_joined_at = min(row.joined_at for row in rows)
    still_open = any(row.left_at is None for row in rows)
    summary.last_left_at = None if still_open else max(row.left_at for row in rows)
    summary.updated_at = now
    return summary


def summarise_before_purge(booking_ids: Select[tuple[int]], now: datetime) -> int:
    """Recompute the summary of each of these bookings that still has attendances, so it
    outlives their purge; within the caller's write transaction. Returns how many."""
    with_calls = (
        select(CallAttendance.booking_id)
        .where(CallAttendance.booking_id.in_(booking_ids))
        .distinct()
        .order_by(CallAttendance.booking_id)
    )
    found = list(db.session.scalars(with_calls))
    for booking_id in found:  # in id order, like every other writer that locks several
        lock_booking(booking_id)
        recompute_summary(booking_id, now)
    return len(found)


def _end_stays_elsewhere(booking_id: int, participant: str, at: datetime) -> None:
    """Close the participant's open attendances in the booking at `at` (their node is gone)."""
    a = CallAttendance
    open_stays = db.session.scalars(
        select(a).where(a.booking_id == booking_id, a.participant == participant, a.left_at.is_(None))
    ).all()
    for attendance in open_stays:
        attendance.left_at = max(attendance.joined_at, at)
        attendance.left_reason = SERVICE_RESTART
        _seen(attendance, attendance.left_at)
    if open_stays:
        db.session.flush()
        recompute_summary(booking_id, at)


def _end(joined_at: datetime, left_at: datetime | None, last_seen_at: datetime | None) -> datetime:
    if left_at is not None:
        return left_at
    return max(joined_at, last_seen_at or joined_at)


def _stale(seen_before: datetime) -> ColumnElement[bool]:
    last_sign = func.coalesce(CallAttendance.last_seen_at, CallAttendance.joined_at)
    return and_(CallAttendance.left_at.is_(None), last_sign < seen_before)


def _lock_if_exists(booking_id: int) -> bool:
    try:
        lock_booking(booking_id)
    except NoResultFound:
        return False
    return True


def _locked_attendance(connection_id: str, event: str) -> CallAttendance | None:
    """The connection's attendance, read fresh after locking its booking; None (logged) if unknown."""
    of_connection = CallAttendance.connection_id == connection_id
    booking_id = db.session.scalar(select(CallAttendance.booking_id).where(of_connection))
    if booking_id is None or not _lock_if_exists(booking_id):
        log.warning("call %s for unknown connection %s ignored", event, connection_id)
        return None
    fresh = select(CallAttendance).where(of_connection).execution_options(populate_existing=True)
    return db.session.scalars(fresh).one_or_none()


def _existing_user_id(user_id: int) -> int | None:
    found = db.session.scalar(select(User.id).where(User.id == user_id))
    if found is None:
        log.warning("call join names user %s, who does not exist; recorded without the account", user_id)
    return found


def _seen(attendance: CallAttendance, at: datetime) -> None:
    if attendance.last_seen_at is None or attendance.last_seen_at < at:
        attendance.last_seen_at = at


def _store_quality(attendance: CallAttendance, quality: QualitySummary) -> None:
    attendance.quality_samples = quality.samples
    attendance.rtt_ms_mean = quality.rtt_ms_mean
    attendance.rtt_ms_max = quality.rtt_ms_max
    attendance.loss_percent_mean = quality.loss_percent_mean
    attendance.loss_percent_max = quality.loss_percent_max
    attendance.bitrate_kbps_mean = quality.bitrate_kbps_mean
    attendance.poor_samples = quality.poor_samples


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _require_connection(connection_id: str) -> None:
    _require(
        0 < len(connection_id or "") <= _CONNECTION_CHARS,
        f"connection_id must have 1 to {_CONNECTION_CHARS} characters",
    )


def _require_aware(at: datetime) -> None:
    _require(at.tzinfo is not None, "instants must be aware")
