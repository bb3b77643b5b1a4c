"""The demo pool's past: right after `demo load` the reports, the utilisation and what each
country owes show a working pool, and the desk has sessions to explain. The same load date
always gives the same past."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking, BookingEvent
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.context import current_settings
from rris.demo.history import load_demo_history
from rris.demo.pool import DEMO_LOGINS, DEMO_PASSWORD, load_demo_pool
from rris.desk.services.desk import desk
from rris.enums import BookingState, Modality
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall, OnDemandRing
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.geography import Country
from rris.pool.models.interpreters import InterpreterProfile
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.reports import monthly_report
from rris.reports.queries.utilisation import pool_utilisation
from tests.conftest import DEFAULT_NOW, committed

COUNTRIES = {"AL", "BA", "XK", "ME", "MK", "RS", "TR"}
DECEMBER = ReportFilter.month(2025, 12, "Europe/Skopje")  # the last full month before DEFAULT_NOW


def test_the_last_full_month_shows_delivered_minutes_and_what_every_country_owes(demo_pool):
    report = monthly_report(DECEMBER)
    delivered_by_country = Counter()
    for (country, _language), seconds in report.seconds_by_language.items():
        delivered_by_country[country] += seconds
    assert set(delivered_by_country) == COUNTRIES and all(delivered_by_country.values())
    assert {country for country, _currency in report.cost} == COUNTRIES
    assert all(amount > 0 for amount in report.cost.values())
    assert report.delivered_minutes > 10_000
    assert 0.75 <= report.fill_rate < 1
    assert report.late_cancellations > 0 and report.early_cancellations > 0
    for state in (BookingState.UNFILLED, BookingState.APPLICANT_NO_SHOW, BookingState.INTERPRETER_NO_SHOW):
        assert report.outcomes.get(state, 0) > 0, state
    assert 0 < report.phone_fallbacks < report.calls
    assert report.median_time_to_fill is not None and report.median_lead_time is not None


def test_utilisation_spreads_across_the_pool(demo_pool):
    shares = [row.figures.ratio or 0 for row in pool_utilisation(DECEMBER)]
    assert len(shares) >= 55
    assert max(shares) >= 0.2
    assert sum(1 for share in shares if share < 0.05) >= 3
    assert len({int(share * 10) for share in shares}) >= 3  # at least three deciles occupied


def test_the_past_stays_within_what_the_pool_could_do(demo_pool):
    """Completed video calls left summaries no longer than the booking; telephone fallbacks left a
    billed leg; telephone sessions took place; relays through English had two interpreters."""
    completed = db.session.scalars(select(Booking).where(Booking.state == BookingState.COMPLETED)).all()
    summaries = dict(db.session.execute(select(CallSummary.booking_id, CallSummary.delivered_seconds)).all())
    for booking in completed[:500]:
        if booking.modality is Modality.VIDEO:
            booked = (booking.ends_at - booking.starts_at).total_seconds()
            assert 0 < summaries[booking.id] <= booked
    billed = db.session.scalars(select(PhoneLeg.duration_seconds)).all()
    assert billed and all(seconds > 0 for seconds in billed)
    assert db.session.scalar(select(func.count()).where(CallAttendance.channel == "phone")) > 0
    relays = db.session.scalars(select(Booking).where(Booking.relay.is_(True))).all()
    assert relays and all(len(booking.assignments) == 2 for booking in relays)
    assert db.session.scalar(select(func.max(Booking.starts_at))) > DEFAULT_NOW  # the desk's, ahead


def test_the_desk_shows_sessions_no_one_can_take_with_the_engines_reasons(app, clock, browser):
    with committed(app):
        load_demo_pool(clock.now(), SecondFactorKeys(current_settings().second_factor_key))
    with app.app_context():
        board = desk(clock.now())
        assert len(board.unfilled) == 3
        assert all(item.legs and (item.legs[0].reasons or not item.legs[0].considered) for item in board.unfilled)
    browser.sign_in(dict(DEMO_LOGINS)["coordinator"], DEMO_PASSWORD)
    page = browser.get("/desk").get_data(as_text=True)
    assert page.count('class="desk-unfilled"') == 3
    assert "No one in the pool works in this pair." in page
    report = browser.get("/reports?month=2025-12").get_data(as_text=True)
    assert "Serbia" in report and "Türkiye" in report  # CLDR's English names


def _snapshot() -> list[tuple]:
    """Everything the past holds, without database ids (PostgreSQL's sequences never go back)."""
    code = Booking.code
    bookings = select(
        code,
        Country.code,
        Booking.applicant_language,
        Booking.officer_language,
        Booking.state,
        Booking.starts_at,
        Booking.created_at,
        Booking.confirmed_at,
        Booking.cancelled_at,
        Booking.case_reference,
    ).join(Country, Country.id == Booking.country_id)
    legs = (
        select(code, Assignment.leg, User.email, Assignment.released_at)
        .join(Booking, Booking.id == Assignment.booking_id)
        .join(InterpreterProfile, InterpreterProfile.id == Assignment.interpreter_id)
        .join(User, User.id == InterpreterProfile.user_id)
    )
    events = select(code, BookingEvent.action, BookingEvent.at).join(Booking, Booking.id == BookingEvent.booking_id)
    summaries = select(code, CallSummary.delivered_seconds).join(Booking, Booking.id == CallSummary.booking_id)
    attendances = select(code, CallAttendance.channel, CallAttendance.joined_at, CallAttendance.left_at).join(
        Booking, Booking.id == CallAttendance.booking_id
    )
    phone = select(code, PhoneLeg.duration_seconds).join(Booking, Booking.id == PhoneLeg.booking_id)
    return [
        sorted(tuple(row) for row in db.session.execute(statement).all())
        for statement in (bookings, legs, events, summaries, attendances, phone)
    ]


def _forget_the_past() -> None:
    for model in (OnDemandRing, OnDemandCall, PhoneLeg, CallAttendance, CallSummary, BookingEvent, Assignment, Booking):
        db.session.execute(delete(model))
    db.session.expunge_all()


def test_the_same_load_date_gives_the_same_past_and_another_date_another(demo_pool):
    first = _snapshot()  # the past the pool's load wrote at DEFAULT_NOW
    _forget_the_past()
    load_demo_history(DEFAULT_NOW)
    assert _snapshot() == first
    _forget_the_past()
    load_demo_history(datetime(2026, 1, 19, 8, 0, tzinfo=UTC))
    assert _snapshot() != first
