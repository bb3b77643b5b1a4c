"""An interpreter's weekly availability and time off: edited by the interpreter or a pool manager.

The writers follow the same order: guard, write (in one write transaction), log, commit.
Confirmed jobs are never changed here; `jobs_at_odds` names those the new hours no longer cover,
so the page can warn (the scheduler's conflict sweep deals with them later).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from rris.access.domain.permissions import Actor, Capability, can
from rris.access.queries.scoping import NotVisible
from rris.audit.domain.events import AuditEvent
from rris.audit.services.trail import record_audit
from rris.bookings.models.bookings import Assignment
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.common.services.text_input import too_long
from rris.common.services.transactions import begin_write
from rris.context import current_origin
from rris.enums import Weekday
from rris.extensions import db
from rris.matching.domain.snapshots import Interval, WeeklyWindow
from rris.matching.services.conflicts import request_sweep
from rris.offers.queries.jobs import upcoming_jobs
from rris.pool.domain.availability import MINUTES_PER_DAY, covered_by_windows, local_pieces
from rris.pool.models.interpreters import AvailabilityWindow, InterpreterProfile, TimeOff
from rris.timeutil import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc

log = logging.getLogger(__name__)

MAX_WINDOWS_PER_DAY = 3
TIME_OFF_REASON_MAX_CHARS = 200
# A longer absence is a deactivation, which coordinators handle; this also catches a mistyped year.
TIME_OFF_MAX_DAYS = 366


@dataclass(frozen=True)
class WindowInput:
    """One weekly window as entered: weekday 0 (Monday) to 6, minutes after local midnight.

    Not validated on construction: `replace_weekly_windows` checks every window and names the day.
    """

    weekday: int
    start_minute: int
    end_minute: int


class Removal(StrEnum):
    """What removing a period of time off did."""

    DELETED = "deleted"  # it had not started
    ENDED_NOW = "ended_now"  # it was under way: the part already taken stays on record


@dataclass(frozen=True)
class JobAtOdds:
    """A confirmed job that the interpreter's availability or time off no longer allows."""

    assignment: Assignment
    outside_windows: bool
    during_time_off: bool


def day_field(weekday: int) -> str:
    """The name under which a weekday's problems are reported ('mon' ... 'sun')."""
    return Weekday.from_number(weekday).value


def replace_weekly_windows(
    interpreter_id: int, actor: Actor, windows: Iterable[WindowInput], now: datetime
) -> list[AvailabilityWindow]:
    """Replace all of the interpreter's weekly windows at once; nothing is written if any day is bad."""
    _guard(actor, interpreter_id)
    wanted = sorted(windows, key=lambda w: (w.weekday, w.start_minute, w.end_minute))
    problems = window_problems(wanted)
    if problems:
        raise InvalidInput(problems)
    begin_write()
    profile = _lock_profile(interpreter_id)
    profile.availability = [
        AvailabilityWindow(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute) for w in wanted
    ]
    db.session.flush()
    log.info(
        "availability of interpreter %s replaced by user %s at %s: %d windows",
        interpreter_id,
        actor.user_id,
        now.isoformat(),
        len(wanted),
    )
    request_sweep(profile.id, "weekly availability changed", now)
    event = AuditEvent("interpreter.availability_changed", "interpreter", str(interpreter_id))
    record_audit(event, actor, current_origin(), now)
    db.session.commit()
    return list(profile.availability)


def add_time_off(
    interpreter_id: int,
    actor: Actor,
    starts_local: datetime,
    ends_local: datetime,
    reason: str | None,
    now: datetime,
) -> TimeOff:
    """Record time off entered as wall-clock times in the interpreter's own zone."""
    _guard(actor, interpreter_id)
    reason = (reason or "").strip() or None
    errors: dict[str, str] = {}
    if reason and len(reason) > TIME_OFF_REASON_MAX_CHARS:
        errors["reason"] = too_long(TIME_OFF_REASON_MAX_CHARS)
    begin_write()
    profile = _lock_profile(interpreter_id)
    starts_at = _to_utc(starts_local, profile.timezone, "starts_local", errors)
    ends_at = _to_utc(ends_local, profile.timezone, "ends_local", errors)
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_local"] = _("The end must come after the start.")
        elif ends_at <= now:
            errors["ends_local"] = _("This period is already over; enter time off that is still to come.")
        elif ends_at - starts_at > timedelta(days=TIME_OFF_MAX_DAYS):
            errors["ends_local"] = _(
                "Time off lasts at most %(days)d days; for longer, ask a coordinator.", days=TIME_OFF_MAX_DAYS
            )
    if errors:
        db.session.rollback()
        raise InvalidInput(errors)
    assert starts_at is not None and ends_at is not None
    record = TimeOff(interpreter_id=profile.id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    db.session.add(record)
    db.session.flush()
    log.info("time off %s added for interpreter %s by user %s", record.id, interpreter_id, actor.user_id)
    request_sweep(profile.id, "time off added", now)
    # The period and its reason stay out of the trail: where someone is, and why, is theirs.
    event = AuditEvent("interpreter.time_off_added", "interpreter", str(interpreter_id))
    record_audit(event, actor, current_origin(), now)
    db.session.commit()
    return record


def remove_time_off(time_off_id: int, actor: Actor, now: datetime) -> Removal:
    """Remove a period that has not started, or end one under way now; a past one stays on record."""
    if actor.interpreter_id is None and not can(actor, Capability.MANAGE_POOL):
        raise Forbidden(_("Only the interpreter and the pool's coordinators can change time off."))
    begin_write()
    record = db.session.scalars(select(TimeOff).where(TimeOff.id == time_off_id).with_for_update()).one_or_none()
    if record is None or not _may_edit(actor, record.interpreter_id):
        db.session.rollback()
        raise NotVisible(f"TimeOff {time_off_id}")
    if record.ends_at <= now:
        db.session.rollback()
        raise InvalidInput({"time_off": _("This time off is already over; it stays on record.")})
    if record.starts_at < now:
        record.ends_at = now
        outcome = Removal.ENDED_NOW
    else:
        db.session.delete(record)
        outcome = Removal.DELETED
    log.info("time off %s %s by user %s", time_off_id, outcome.value, actor.user_id)
    request_sweep(record.interpreter_id, "time off removed", now)
    event = AuditEvent(f"interpreter.time_off_{outcome.value}", "interpreter", str(record.interpreter_id))
    record_audit(event, actor, current_origin(), now)
    db.session.commit()
    return outcome


def upcoming_time_off(interpreter_id: int, now: datetime) -> list[TimeOff]:
    """Periods of time off not yet over (under way or to come), the soonest first."""
    return list(
        db.session.scalars(
            select(TimeOff)
            .where(TimeOff.interpreter_id == interpreter_id, TimeOff.ends_at > now)
            .order_by(TimeOff.starts_at, TimeOff.id)
        )
    )


def jobs_at_odds(interpreter_id: int, now: datetime, upcoming: list[Assignment] | None = None) -> list[JobAtOdds]:
    """Confirmed jobs not yet ended that fall outside the weekly windows or inside time off; of
    `upcoming` (`upcoming_jobs` at `now`) when the caller has already read them."""
    profile = db.session.get(InterpreterProfile, interpreter_id)
    if profile is None:
        return []
    windows = [WeeklyWindow(w.weekday, w.start_minute, w.end_minute) for w in profile.availability]
    away = [Interval(item.starts_at, item.ends_at) for item in upcoming_time_off(interpreter_id, now)]
    found: list[JobAtOdds] = []
    for assignment in upcoming_jobs(interpreter_id, now) if upcoming is None else upcoming:
        session = Interval(assignment.booking.starts_at, assignment.booking.ends_at)
        outside = not covered_by_windows(local_pieces(session, profile.timezone), windows)
        off = any(period.overlaps(session) for period in away)
        if outside or off:
            found.append(JobAtOdds(assignment, outside_windows=outside, during_time_off=off))
    return found


def _may_edit(actor: Actor, interpreter_id: int) -> bool:
    return actor.interpreter_id == interpreter_id or can(actor, Capability.MANAGE_POOL)


def _guard(actor: Actor, interpreter_id: int) -> None:
    """Interpreters edit their own hours, pool managers anyone's; another interpreter's is not found."""
    if _may_edit(actor, interpreter_id):
        return
    if actor.interpreter_id is not None:
        raise NotVisible(f"InterpreterProfile {interpreter_id}")
    raise Forbidden(_("Only the interpreter and the pool's coordinators can change availability."))


def _lock_profile(interpreter_id: int) -> InterpreterProfile:
    """The profile, locked so that two editors of the same hours take turns."""
    profile = db.session.scalars(
        select(InterpreterProfile).where(InterpreterProfile.id == interpreter_id).with_for_update()
    ).one_or_none()
    if profile is None:
        db.session.rollback()
        raise NotVisible(f"InterpreterProfile {interpreter_id}")
    return profile


def _to_utc(local: datetime, zone_name: str, field: str, errors: dict[str, str]) -> datetime | None:
    """The UTC instant of a wall-clock time, or None with the problem recorded under `field`."""
    try:
        return local_to_utc(local.replace(tzinfo=None, second=0, microsecond=0), zone_name)
    except NonexistentLocalTime:
        errors[field] = _(
            "%(time)s does not exist there: the clocks go forward that night. Choose a time outside the skipped hour.",
            time=f"{local:%Y-%m-%d %H:%M}",
        )
    except AmbiguousLocalTime:
        errors[field] = _(
            "%(time)s happens twice that night as the clocks go back. Choose a time outside the repeated hour.",
            time=f"{local:%Y-%m-%d %H:%M}",
        )
    return None


def window_problems(windows: list[WindowInput]) -> dict[str, str]:
    """What is wrong with the windows, every bad entry named, one message per weekday."""
    problems: dict[str, str] = {}
    by_day: dict[int, list[WindowInput]] = {}
    for window in windows:
        if not 0 <= window.weekday <= 6:
            problems["windows"] = _("A weekday runs from Monday (0) to Sunday (6).")
            continue
        by_day.setdefault(window.weekday, []).append(window)
    for weekday, day_windows in by_day.items():
        found = _day_problems(sorted(day_windows, key=lambda item: (item.start_minute, item.end_minute)))
        if found:
            problems[day_field(weekday)] = " ".join(found)
    return problems


def _day_problems(windows: list[WindowInput]) -> list[str]:
    if len(windows) > MAX_WINDOWS_PER_DAY:
        return [
            ngettext(
                "Enter at most %(num)d window for one day.",
                "Enter at most %(num)d windows for one day.",
                MAX_WINDOWS_PER_DAY,
            )
        ]
    problems = []
    sound = []
    for window in windows:
        span = f"{_hhmm(window.start_minute)}-{_hhmm(window.end_minute)}"
        if not (0 <= window.start_minute < MINUTES_PER_DAY and 0 <= window.end_minute <= MINUTES_PER_DAY):
            problems.append(_("%(window)s: times run from 00:00 to 24:00.", window=span))
        elif window.end_minute <= window.start_minute:
            problems.append(
                _(
                    "%(window)s does not end after it starts. A window lies within one day: "
                    "split a night across midnight, e.g. 22:00-24:00 and 00:00-06:00 the next day.",
                    window=span,
                )
            )
        else:
            sound.append(window)
    for earlier, later in zip(sound, sound[1:], strict=False):
        if later.start_minute < earlier.end_minute:
            first = f"{_hhmm(earlier.start_minute)}-{_hhmm(earlier.end_minute)}"
            second = f"{_hhmm(later.start_minute)}-{_hhmm(later.end_minute)}"
            problems.append(
                _("%(first)s and %(second)s overlap; join them into one window.", first=first, second=second)
            )
    return problems


def _hhmm(minutes: int) -> str:
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}"
