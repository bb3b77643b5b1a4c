"""Write the demo pool's past (`rris.demo.history_plan`) and a few open bookings ahead.

The past is what the reports, charts and "what each country owes" are for: completed sessions
with their call summaries and attendances (a few finished by telephone, with the telephone leg
and its billed minutes), telephone sessions held on a leg, cancellations early and late,
no-shows, technical failures and sessions no one could take. The coordinators' desk gets a few
sessions of the next days that no one can take, for the engine to explain.

Loaded only into a database without bookings, inside the demo load's transaction, by bulk
inserts: the rows are what the services and the call records would have written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, BookingEvent
from rris.calls.domain.call_participants import Participant
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.demo.bulk_rows import Row, closed_attendance_row, insert_rows
from rris.demo.history_plan import HistoryPlanner, PastSession, PoolInterpreter, PoolOffice
from rris.enums import BookingState, CallRole, GenderRule, Modality, PhoneDirection, PhoneLegStatus, Role, SessionKind
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.geography import Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import zone

_FINAL_ACTIONS = {
    BookingState.COMPLETED: "complete",
    BookingState.CANCELLED: "cancel",
    BookingState.UNFILLED: "exhaust",
    BookingState.APPLICANT_NO_SHOW: "mark_applicant_no_show",
    BookingState.INTERPRETER_NO_SHOW: "mark_interpreter_no_show",
    BookingState.TECHNICAL_FAILURE: "mark_technical_failure",
    BookingState.WRONG_LANGUAGE: "mark_wrong_language",
}
CANCEL_REASONS = (
    "The applicant withdrew the claim.",
    "The applicant was transferred to another centre.",
    "The interview was moved to a later date.",
    "The applicant is unwell.",
)
# Open bookings on the desk: (days ahead, country, department's local start, applicant's and
# officer's language, kind) that the demo pool cannot staff, each for its own reason.
DESK_BOOKINGS: tuple[tuple[int, str, str, str, str, SessionKind], ...] = (
    (1, "TR", "21:00", "kmr", "tur", SessionKind.RECEPTION),  # after everyone's working hours
    (1, "MK", "17:30", "prs", "mkd", SessionKind.REGISTRATION),  # the one Dari-Macedonian interpreter is off
    (2, "ME", "10:00", "tir", "cnr", SessionKind.ASYLUM_INTERVIEW),  # no one works the pair, nor a relay
)


def pool_has_bookings() -> bool:
    """True once any booking exists: the past is then left alone."""
    return db.session.scalars(select(func.count()).select_from(Booking)).one() > 0


def load_demo_history(now: datetime) -> int:
    """Plan and insert the past and the desk's open bookings (the caller commits); how many bookings."""
    offices = _offices()
    interpreters, user_ids = _interpreters()
    sessions = HistoryPlanner(now.date(), offices, interpreters).plan()
    sessions += _desk_sessions(now, offices)
    ids = _new_booking_ids(len(sessions))
    children: dict[Any, list[Row]] = {
        Booking.__table__: [
            _booking_row(session, number) | {"id": booking_id}
            for number, (booking_id, session) in enumerate(zip(ids, sessions, strict=True), start=1)
        ],
        Assignment.__table__: [],
        BookingEvent.__table__: [],
        CallSummary.__table__: [],
        CallAttendance.__table__: [],
        PhoneLeg.__table__: [],
    }
    for booking_id, session in zip(ids, sessions, strict=True):
        _children(children, booking_id, session, user_ids)
    for table, rows in children.items():
        insert_rows(table, rows)
    return len(sessions)


def _new_booking_ids(count: int) -> list[int]:
    """Ids for `count` new bookings: from the sequence on PostgreSQL, after the last one elsewhere."""
    if db.engine.dialect.name == "postgresql":
        sequence = text("SELECT nextval(pg_get_serial_sequence('bookings', 'id')) FROM generate_series(1, :count)")
        return list(db.session.scalars(sequence, {"count": count}))
    last = db.session.scalar(select(func.max(Booking.id))) or 0
    return list(range(last + 1, last + 1 + count))


def _offices() -> list[PoolOffice]:
    departments = db.session.scalars(select(Department).options(selectinload(Department.country))).all()
    caseworkers: dict[int, list[int]] = {}
    for user_id, department_id in db.session.execute(
        select(User.id, User.department_id).where(User.role == Role.CASEWORKER, User.active.is_(True)).order_by(User.id)
    ):
        caseworkers.setdefault(department_id, []).append(user_id)
    return [
        PoolOffice(
            department_id=department.id,
            country_id=department.country_id,
            country_code=department.country.code,
            zone=zone(department.timezone),
            official_language=department.country.official_languages[0].code,
            caseworker_ids=tuple(caseworkers[department.id]),
        )
        for department in sorted(departments, key=lambda item: item.id)
        if department.id in caseworkers and department.country.official_languages
    ]


def _interpreters() -> tuple[list[PoolInterpreter], dict[int, int]]:
    profiles = db.session.scalars(
        select(InterpreterProfile)
        .where(InterpreterProfile.active.is_(True))
        .options(
            selectinload(InterpreterProfile.language_pairs),
            selectinload(InterpreterProfile.accreditations),
            selectinload(InterpreterProfile.availability),
        )
        .order_by(InterpreterProfile.id)
    ).all()
    people = []
    for profile in profiles:
        windows: dict[int, list[tuple[int, int]]] = {}
        for window in profile.availability:
            windows.setdefault(window.weekday, []).append((window.start_minute, window.end_minute))
        accredited: dict[str, list[tuple[date, date]]] = {}
        for item in profile.accreditations:
            accredited.setdefault(item.country.code, []).append((item.valid_from, item.valid_to))
        people.append(
            PoolInterpreter(
                id=profile.id,
                zone=zone(profile.timezone),
                pairs=frozenset(frozenset((pair.language_a, pair.language_b)) for pair in profile.language_pairs),
                accredited={code: tuple(spans) for code, spans in accredited.items()},
                windows={day: tuple(spans) for day, spans in windows.items()},
                daily_cap_minutes=profile.daily_cap_minutes,
                rest_gap_minutes=profile.rest_gap_minutes,
            )
        )
    return people, {profile.id: profile.user_id for profile in profiles}


def _desk_sessions(now: datetime, offices: list[PoolOffice]) -> list[PastSession]:
    sessions: list[PastSession] = []
    for days, country, local, applicant, officer, kind in DESK_BOOKINGS:
        office = next((item for item in offices if item.country_code == country), None)
        if office is None:
            continue
        hour, minute = (int(part) for part in local.split(":"))
        day = now.astimezone(office.zone).date() + timedelta(days=days)
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=office.zone)
        sessions.append(
            PastSession(
                office=office,
                caseworker_id=office.caseworker_ids[0],
                code=f"RR-DESK{len(sessions) + 1:03d}",
                applicant_language=applicant,
                officer_language=officer,
                kind=kind,
                modality=Modality.VIDEO,
                starts_at=start.astimezone(UTC),
                ends_at=(start + timedelta(minutes=60)).astimezone(UTC),
                created_at=now - timedelta(hours=2 + 3 * len(sessions)),
                state=BookingState.UNFILLED,
            )
        )
    return sessions


def _booking_row(session: PastSession, number: int) -> Row:
    last = session.cancelled_at or (session.ends_at if session.state is not BookingState.UNFILLED else None)
    return {
        "code": session.code,
        "department_id": session.office.department_id,
        "country_id": session.office.country_id,
        "created_by_id": session.caseworker_id,
        "applicant_language": session.applicant_language,
        "officer_language": session.officer_language,
        "dialect": None,
        "session_kind": session.kind,
        "modality": session.modality,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "case_reference": f"{session.office.country_code}-{session.starts_at.year}-{number:05d}",
        "notes": None,
        "gender": None,
        "gender_rule": GenderRule.NONE,
        "continuity": False,
        "relay": session.relay,
        "state": session.state,
        "version": 1,
        "offer_wave": 1,
        "created_at": session.created_at,
        "updated_at": last or session.created_at,
        "confirmed_at": session.confirmed_at,
        "cancelled_at": session.cancelled_at,
        "cancel_reason": CANCEL_REASONS[number % len(CANCEL_REASONS)] if session.cancelled_at else None,
        "cancelled_late": session.cancelled_late,
        "calendar_sequence": 0,
    }


def _children(rows: dict[Any, list[Row]], booking_id: int, session: PastSession, user_ids: dict[int, int]) -> None:
    """The booking's assignments, history and call records."""
    events = rows[BookingEvent.__table__]
    events.append(_event(booking_id, session.created_at, session.caseworker_id, "requested", None, "requested"))
    for leg, person in enumerate(session.interpreters, start=1):
        busy = busy_interval(Interval(session.starts_at, session.ends_at), person.rest_gap_minutes)
        rows[Assignment.__table__].append(
            {
                "booking_id": booking_id,
                "leg": leg,
                "interpreter_id": person.id,
                "busy_from": busy.start,
                "busy_until": busy.end,
                "assigned_at": session.confirmed_at,
                "assigned_by_id": None,
                "manual": False,
                "released_at": session.cancelled_at,
                "release_reason": "cancelled" if session.cancelled_at else None,
                "waived_reasons": None,
            }
        )
    if session.confirmed_at is not None:
        taker = user_ids[session.interpreters[-1].id]
        events.append(_event(booking_id, session.confirmed_at, taker, "accept", "offered", "confirmed"))
    if session.state is BookingState.CANCELLED:
        assert session.cancelled_at is not None  # the plan dates every cancellation
        before = "confirmed" if session.confirmed_at else "offered"
        events.append(_event(booking_id, session.cancelled_at, session.caseworker_id, "cancel", before, "cancelled"))
        return
    action = _FINAL_ACTIONS[session.state]
    if session.state is BookingState.UNFILLED:
        events.append(
            _event(booking_id, session.created_at + timedelta(minutes=30), None, action, "offered", "unfilled")
        )
        return
    at = session.ends_at + timedelta(minutes=30)
    events.append(
        _event(
            booking_id,
            at,
            None if action == "complete" else session.caseworker_id,
            action,
            "in_progress",
            session.state.value,
        )
    )
    _call_records(rows, booking_id, session, user_ids)


def _event(booking_id: int, at: datetime, actor_id: int | None, action: str, before: str | None, after: str) -> Row:
    return {
        "booking_id": booking_id,
        "at": at,
        "actor_id": actor_id,
        "action": action,
        "from_state": BookingState(before) if before else None,
        "to_state": BookingState(after),
        "note": None,
    }


def _call_records(rows: dict[Any, list[Row]], booking_id: int, session: PastSession, user_ids: dict[int, int]) -> None:
    """Who was in the call and for how long, as the call records would have kept it."""
    interpreter_user = user_ids[session.interpreters[0].id]
    joined = session.starts_at + timedelta(seconds=session.late_join_seconds)
    left = joined + timedelta(seconds=session.delivered_seconds)
    if session.modality is Modality.PHONE:
        if session.phone_leg:
            _phone_leg(rows, booking_id, interpreter_user, joined, left)
        return
    if session.state in (BookingState.INTERPRETER_NO_SHOW, BookingState.TECHNICAL_FAILURE):
        _attendance(
            rows, booking_id, session.caseworker_id, CallRole.OFFICER, "browser", joined, joined + timedelta(minutes=12)
        )
        return
    if session.state is not BookingState.COMPLETED:
        left = joined + timedelta(minutes=15)
    _attendance(rows, booking_id, session.caseworker_id, CallRole.OFFICER, "browser", joined, left)
    for person in session.interpreters:
        user_id = user_ids[person.id]
        if session.phone_fallback and person is session.interpreters[0]:
            camera_died = joined + (left - joined) / 2
            back = camera_died + timedelta(seconds=75)
            _attendance(rows, booking_id, user_id, CallRole.INTERPRETER, "browser", joined, camera_died)
            _attendance(rows, booking_id, user_id, CallRole.INTERPRETER, "phone", back, left)
            _phone_leg(rows, booking_id, user_id, back, left)
        else:
            _attendance(rows, booking_id, user_id, CallRole.INTERPRETER, "browser", joined, left)
    seconds = int((left - joined).total_seconds())
    if session.phone_fallback:
        seconds -= 75  # the minute and a quarter she was away counts for no one
    rows[CallSummary.__table__].append(
        {
            "booking_id": booking_id,
            "delivered_seconds": seconds,
            "first_joined_at": joined,
            "last_left_at": left,
            "updated_at": left,
        }
    )


def _attendance(
    rows: dict[Any, list[Row]],
    booking_id: int,
    user_id: int,
    role: CallRole,
    channel: str,
    joined: datetime,
    left: datetime,
) -> None:
    person = Participant.user(user_id)
    participant = (person.phone() if channel == "phone" else person).encode()
    rows[CallAttendance.__table__].append(
        closed_attendance_row(booking_id, role, channel, joined, left, user_id=user_id, participant=participant)
    )


def _phone_leg(rows: dict[Any, list[Row]], booking_id: int, user_id: int, answered: datetime, ended: datetime) -> None:
    rows[PhoneLeg.__table__].append(
        {
            "booking_id": booking_id,
            "participant": Participant.user(user_id).phone().encode(),
            "person_participant": Participant.user(user_id).encode(),
            "user_id": user_id,
            "role": CallRole.INTERPRETER,
            "display_name": "Interpreter (phone)",
            "direction": PhoneDirection.OUTBOUND,
            "number_tail": f"{(user_id * 37 + 11) % 10_000:04d}",
            "call_sid": None,
            "status": PhoneLegStatus.COMPLETED,
            "requested_at": answered - timedelta(seconds=20),
            "answered_at": answered,
            "ended_at": ended,
            "duration_seconds": int((ended - answered).total_seconds()),
            "simulated": True,
        }
    )
