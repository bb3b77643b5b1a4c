"""What the live pages are told: an interpreter's availability and ring, an officer's request.

The signalling service reads these for the pages connected to it (`signaling/presence.py`) and
pushes what changed; each function is one or two indexed queries for all of a node's pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, select

from rris.bookings.models.bookings import Booking
from rris.common.services.wording import label, language_name, region_label, with_footnote
from rris.extensions import db
from rris.ondemand.domain.policy import OnDemandPolicy
from rris.ondemand.domain.queueing import expected_wait
from rris.ondemand.domain.states import CallState, RingOutcome
from rris.ondemand.models.ondemand import InterpreterPresence, OnDemandCall, OnDemandRing
from rris.ondemand.queries.queue import open_calls, recent_answer_times


@dataclass(frozen=True)
class Ringing:
    """The ring on an interpreter's page: which request, until when."""

    ring_id: int
    call_id: int
    until: datetime


@dataclass(frozen=True)
class InterpreterNow:
    """Whether she is available, and what rings on her page (at most one ring at a time)."""

    available: bool
    ring: Ringing | None


@dataclass(frozen=True)
class CallStatus:
    """Where an officer's request stands; the place and the wait while it waits, the call page once answered."""

    state: CallState
    position: int | None
    expected_wait_seconds: int | None
    call_url: str | None


def interpreters_now(interpreter_ids: Iterable[int], policy: OnDemandPolicy) -> dict[int, InterpreterNow]:
    """Each of these interpreters' availability and live ring, in one query."""
    ids = sorted(set(interpreter_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            InterpreterPresence.interpreter_id,
            InterpreterPresence.available,
            OnDemandRing.id,
            OnDemandRing.call_id,
            OnDemandRing.rung_at,
        )
        .outerjoin(
            OnDemandRing,
            and_(OnDemandRing.interpreter_id == InterpreterPresence.interpreter_id, OnDemandRing.ended_at.is_(None)),
        )
        .where(InterpreterPresence.interpreter_id.in_(ids))
    )
    span = timedelta(seconds=policy.ring_seconds)
    found = {
        interpreter_id: InterpreterNow(
            available, None if ring_id is None else Ringing(ring_id, call_id, rung_at + span)
        )
        for interpreter_id, available, ring_id, call_id, rung_at in rows
    }
    db.session.rollback()
    return {i: found.get(i, InterpreterNow(False, None)) for i in ids}


def ring_outcomes(ring_ids: Iterable[int]) -> dict[int, RingOutcome]:
    """How these rings ended (those still ringing are left out)."""
    ids = sorted(set(ring_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(OnDemandRing.id, OnDemandRing.outcome).where(OnDemandRing.id.in_(ids), OnDemandRing.outcome.is_not(None))
    )
    outcomes = {ring_id: outcome for ring_id, outcome in rows if outcome is not None}
    db.session.rollback()
    return outcomes


def call_statuses(call_ids: Iterable[int], policy: OnDemandPolicy) -> dict[int, CallStatus]:
    """Where each of these requests stands; a waiting one's place in its queue and expected wait."""
    ids = sorted(set(call_ids))
    if not ids:
        return {}
    rows = list(
        db.session.execute(
            select(OnDemandCall.id, OnDemandCall.state, OnDemandCall.pair_key, OnDemandCall.booking_id).where(
                OnDemandCall.id.in_(ids)
            )
        )
    )
    waiting_keys = {key for _id, state, key, _booking in rows if state is CallState.WAITING}
    places = {call.id: place for key in waiting_keys for place, call in enumerate(open_calls([key]), start=1)}
    waits = {key: expected_wait(recent_answer_times(key, policy.wait_sample)) for key in waiting_keys}
    statuses: dict[int, CallStatus] = {}
    for call_id, state, key, booking_id in rows:
        if state is CallState.WAITING:
            wait = waits[key]
            statuses[call_id] = CallStatus(
                state, places.get(call_id), None if wait is None else round(wait.total_seconds()), None
            )
        else:
            answered = state in (CallState.ANSWERED, CallState.CONNECTED)
            statuses[call_id] = CallStatus(state, None, None, call_page(booking_id) if answered else None)
    db.session.rollback()
    return statuses


def call_page(booking_id: int) -> str:
    """The address of the call page of this booking, as the live pages open it."""
    return f"/calls/{booking_id}"


def ring_summary(call_id: int, locale: str) -> str:
    """What rings, in one sentence in `locale`: "Pashto and Serbian, for Serbia: Reception"."""
    booking = db.session.scalars(
        select(Booking).join(OnDemandCall, OnDemandCall.booking_id == Booking.id).where(OnDemandCall.id == call_id)
    ).one()
    with force_locale(locale):
        country, footnote = region_label(booking.country.code)
        sentence = _(
            "%(applicant_language)s and %(officer_language)s, for %(country)s: %(session_kind)s",
            applicant_language=language_name(booking.applicant_language),
            officer_language=language_name(booking.officer_language),
            country=country,
            session_kind=label(booking.session_kind),
        )
        return with_footnote(sentence, footnote)
