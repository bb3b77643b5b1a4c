"""Two generated months for the rollup tests: December 2025 and January 2026 in Serbia and North
Macedonia, sessions booked ahead in every state (relays in two currencies, call summaries,
telephone fallbacks, released legs, late and early cancellations, instants with microseconds) and
January's on-demand calls made through the real services (`tests.reports.on_demand_month`)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.enums import BookingState, CallRole, Modality, PhoneDirection, PhoneLegStatus, SessionKind
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories
from tests.reports.on_demand_month import OnDemandMonth, on_demand_january

BELGRADE = "Europe/Belgrade"
AFTER_JANUARY = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)  # both months closed
STATES = (
    BookingState.COMPLETED,
    BookingState.COMPLETED,
    BookingState.COMPLETED,
    BookingState.CANCELLED,
    BookingState.UNFILLED,
    BookingState.APPLICANT_NO_SHOW,
    BookingState.INTERPRETER_NO_SHOW,
    BookingState.TECHNICAL_FAILURE,
    BookingState.WRONG_LANGUAGE,
)
RATES = (("35.00", "EUR"), ("18.00", "EUR"), ("1999.99", "TRY"), ("27.35", "USD"))


def _interpreters() -> list[InterpreterProfile]:
    people = []
    for number, (rate, currency) in enumerate(RATES):
        person = factories.interpreter(name=f"Rollup Interpreter {number}", accredited_for=("RS", "MK"))
        person.hourly_rate, person.rate_currency = Decimal(rate), currency
        people.append(person)
    return people


def _calls(rng: random.Random, booking: Booking, user_id: int) -> None:
    if booking.modality is Modality.VIDEO and rng.random() < 0.8:
        channel = "phone" if rng.random() < 0.3 else "browser"
        for role, how in ((CallRole.OFFICER, "browser"), (CallRole.INTERPRETER, channel)):
            db.session.add(
                CallAttendance(booking_id=booking.id, user_id=None, role=role, channel=how, joined_at=booking.starts_at)
            )
        if booking.state is BookingState.COMPLETED and rng.random() < 0.8:
            seconds = int((booking.ends_at - booking.starts_at).total_seconds()) - rng.randrange(-300, 900)
            db.session.add(
                CallSummary(
                    booking_id=booking.id,
                    delivered_seconds=max(0, seconds),
                    first_joined_at=booking.starts_at,
                    last_left_at=booking.ends_at,
                    updated_at=booking.ends_at,
                )
            )
    if rng.random() < 0.25:
        answered = rng.random() < 0.7
        db.session.add(
            PhoneLeg(
                booking_id=booking.id,
                participant=f"u{user_id}:phone",
                person_participant=f"u{user_id}",
                user_id=user_id,
                role=CallRole.INTERPRETER,
                display_name="Interpreter (phone)",
                direction=PhoneDirection.OUTBOUND,
                number_tail="0001",
                status=PhoneLegStatus.COMPLETED if answered else PhoneLegStatus.NO_ANSWER,
                requested_at=booking.starts_at,
                answered_at=booking.starts_at if answered else None,
                ended_at=booking.ends_at,
                simulated=True,
            )
        )


def generated_months(seed: int = 19, per_month: int = 24) -> tuple[OnDemandMonth, list[Booking]]:
    """The two months above; returns January's on-demand calls and every booking booked ahead."""
    calls = on_demand_january()
    rng = random.Random(seed)
    offices = [factories.department("RS"), factories.department("MK")]
    people = _interpreters()
    bookings = []
    for first in (datetime(2025, 12, 10, 7, 0, tzinfo=UTC), datetime(2026, 1, 14, 7, 0, tzinfo=UTC)):
        for number in range(per_month):
            state = rng.choice(STATES)
            starts = first + timedelta(hours=3 * number, microseconds=rng.randrange(1_000_000))
            relay = rng.random() < 0.2
            record = factories.booking(
                rng.choice(offices),
                starts_at=starts,
                minutes=rng.choice((45, 60, 90)),
                applicant_language=rng.choice(("pus", "prs", "ara", "fas")),
                officer_language=rng.choice(("srp", "mkd", "eng")),
                state=state,
                modality=Modality.VIDEO if rng.random() < 0.75 else Modality.PHONE,
                session_kind=rng.choice(tuple(SessionKind)),
                relay=relay,
            )
            record.created_at = starts - timedelta(days=rng.randrange(1, 30), microseconds=rng.randrange(1_000_000))
            filled = state is not BookingState.UNFILLED and rng.random() < 0.85
            if filled:
                record.confirmed_at = record.created_at + timedelta(minutes=rng.randrange(5, 3000))
                for leg in range(1, 3 if relay else 2):
                    released = state is BookingState.CANCELLED
                    factories.held(record, people[(number + leg) % len(people)], leg=leg, released=released)
                _calls(rng, record, people[number % len(people)].user_id)
            if state is BookingState.CANCELLED:
                record.cancelled_late = rng.random() < 0.4
            bookings.append(record)
    db.session.commit()
    return calls, bookings


@pytest.fixture
def months(ctx, clock):
    """The two months generated, the clock after both (both closed)."""
    generated = generated_months()
    clock.set(AFTER_JANUARY)
    return generated
