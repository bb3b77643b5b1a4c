"""Twilio's callbacks about outgoing calls: the voice webhook of an answered call, and the status
reports (ringing, answered, completed, busy, no answer, failed), each recorded once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from rris.common.services.transactions import begin_write
from rris.enums import PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg, PhoneLegEvent
from rris.phone.services.phone_legs import (
    CALL_SID_PATTERN,
    event_recorded,
    finish_leg,
    leg_is_over,
    leg_ticket,
    locked_leg,
)

log = logging.getLogger("rris.phone.services.phone_legs")


def answer_call(leg_id: int, call_sid: str, now: datetime, secret_key: str) -> str | None:
    """The leg ticket (signed with `secret_key`) for Twilio's voice webhook of an answered
    outgoing call, or None when the leg is over or belongs to another call. A leg whose CallSid
    never came back (Twilio did not answer the create in time) takes this one."""
    leg = adopt_call(leg_id, call_sid, now)
    return None if leg is None else leg_ticket(leg, secret_key)


def adopt_call(leg_id: int, call_sid: str, now: datetime) -> PhoneLeg | None:
    """The outgoing leg Twilio's voice webhook with `call_sid` speaks for, or None when the leg is
    over, simulated or belongs to another call. A leg whose CallSid never came back takes this one."""
    if not CALL_SID_PATTERN.fullmatch(call_sid or ""):
        return None
    begin_write()
    leg = locked_leg(leg_id)
    if leg is None or leg.simulated or leg.direction is not PhoneDirection.OUTBOUND or leg_is_over(leg, now):
        db.session.commit()
        return None
    if leg.call_sid is None:
        if db.session.scalar(select(PhoneLeg.id).where(PhoneLeg.call_sid == call_sid)) is not None:
            db.session.commit()
            return None
        leg.call_sid = call_sid
        log.info("call %s: leg %s adopted CallSid %s on answer", leg.booking_id, leg_id, call_sid)
    elif leg.call_sid != call_sid:
        log.warning("call %s: voice webhook for leg %s came with another CallSid", leg.booking_id, leg_id)
        db.session.commit()
        return None
    db.session.commit()
    return leg


def record_status(params: Mapping[str, str], now: datetime, account: str) -> bool:
    """Apply a validated Twilio status callback (CallSid, CallStatus, CallDuration). Each status
    of a call is recorded once; a replay, an unknown call or status, or another Twilio account
    than `account` (when one is configured) changes nothing (False).

    Statuses never move back (callbacks may arrive out of order); answered_at is set at
    in-progress, ended_at and the billed duration at the final status.
    """
    call_sid, raw_status = params.get("CallSid") or "", params.get("CallStatus") or ""
    try:
        status = PhoneLegStatus(raw_status)
    except ValueError:
        log.warning("Twilio status %.20r for %s ignored", raw_status, call_sid[:40])
        return False
    if account and params.get("AccountSid") != account:
        log.warning("Twilio status for %s from another account ignored", call_sid[:40])
        return False
    begin_write()
    leg_id = db.session.scalar(select(PhoneLeg.id).where(PhoneLeg.call_sid == call_sid)) if call_sid else None
    leg = locked_leg(leg_id) if leg_id is not None else None
    if leg is None:
        db.session.commit()
        log.info("Twilio status %s for unknown call %s ignored", status.value, call_sid[:40])
        return False
    if event_recorded(leg.id, status):
        db.session.commit()
        log.info("call %s: status %s of leg %s repeated; ignored", leg.booking_id, status.value, leg.id)
        return False
    db.session.add(PhoneLegEvent(leg_id=leg.id, status=status, at=now))
    if status.is_final:
        if not leg.status.is_final:
            finish_leg(leg, status, now, _duration(params) if status is PhoneLegStatus.COMPLETED else 0, event=False)
    elif status.rank > leg.status.rank and not leg.status.is_final:
        leg.status = status
        if status is PhoneLegStatus.IN_PROGRESS and leg.answered_at is None:
            leg.answered_at = now
    booking_id, leg_id = leg.booking_id, leg.id
    db.session.commit()
    log.info("call %s: leg %s %s", booking_id, leg_id, status.value)
    return True


def _duration(params: Mapping[str, str]) -> int:
    raw = params.get("CallDuration") or "0"
    return int(raw) if raw.isdigit() else 0
