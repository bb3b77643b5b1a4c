"""The monthly report read from the database on both backends: the period in the coordinator's
zone, the filters, call summaries, telephone fallback and the cost of each interpreter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.enums import BookingState, CallRole, Modality, PhoneDirection, PhoneLegStatus, SessionKind
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.reports import monthly_report, monthly_report_from_rows
from tests import factories

BELGRADE = "Europe/Belgrade"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


held = factories.held


def summary(booking: Booking, seconds: int) -> None:
    db.session.add(
        CallSummary(
            booking_id=booking.id,
            delivered_seconds=seconds,
            first_joined_at=booking.starts_at,
            last_left_at=booking.ends_at,
            updated_at=booking.ends_at,
        )
    )


def joined(booking: Booking, role: CallRole, channel: str = "browser") -> None:
    db.session.add(
        CallAttendance(booking_id=booking.id, user_id=None, role=role, channel=channel, joined_at=booking.starts_at)
    )


def booked(department, created_at: datetime, **fields: object) -> Booking:
    """A booking made at `created_at` (the factory's default creation date is months earlier)."""
    record = factories.booking(department, **fields)
    record.created_at = created_at
    return record


@pytest.fixture
def march(ctx):
    """Serbia and North Macedonia in March 2026 (clocks change on the 29th), hand-computed below."""
    belgrade = factories.department("RS")
    skopje = factories.department("MK")
    mariam = factories.interpreter(name="Mariam Ahmadzai")  # 35.00 EUR
    omid = factories.interpreter(pairs=(("prs", "eng"),), name="Omid Rahimi")
    omid.hourly_rate, omid.rate_currency = Decimal("25.00"), "GBP"
    created = utc(2026, 3, 1, 9, 0)

    # 1. Serbia, Pashto, video, 37 min delivered by the call (booked 60), browser only.
    first = booked(
        belgrade,
        starts_at=utc(2026, 3, 10, 8, 0),
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(minutes=20),
    )
    # 2. Serbia, Dari, video, 31 March 23:30-00:30 local (21:30 UTC): March's; the interpreter
    #    fell back to telephone; 60 min delivered.
    second = booked(
        belgrade,
        starts_at=utc(2026, 3, 31, 21, 30),
        applicant_language="prs",
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(minutes=40),
    )
    # 3. North Macedonia, Pashto, phone, 45 min booked, completed without call records.
    third = booked(
        skopje,
        starts_at=utc(2026, 3, 29, 7, 0),
        minutes=45,
        officer_language="mkd",
        modality=Modality.PHONE,
        session_kind=SessionKind.REGISTRATION,
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(hours=1),
    )
    # 4. Serbia, cancelled late after being filled.
    fourth = booked(
        belgrade,
        starts_at=utc(2026, 3, 12, 8, 0),
        state=BookingState.CANCELLED,
        cancelled_late=True,
        created_at=created,
        confirmed_at=created + timedelta(hours=2),
        cancelled_at=utc(2026, 3, 12, 7, 0),
    )
    # 5. Serbia, unfilled.
    booked(belgrade, starts_at=utc(2026, 3, 13, 8, 0), state=BookingState.UNFILLED, created_at=created)
    # 6. Serbia, 1 April 00:30 local (31 March 22:30 UTC): April's, left out.
    booked(belgrade, starts_at=utc(2026, 3, 31, 22, 30), state=BookingState.COMPLETED, created_at=created)

    held(first, mariam)
    held(second, omid)
    held(third, mariam)
    held(fourth, mariam)
    summary(first, 37 * 60)
    summary(second, 60 * 60)
    joined(first, CallRole.OFFICER)
    joined(first, CallRole.INTERPRETER)
    joined(second, CallRole.OFFICER)
    joined(second, CallRole.INTERPRETER, channel="phone")
    db.session.commit()
    return belgrade, skopje


def test_march_report_matches_the_hand_computed_figures(march):
    report = monthly_report(ReportFilter.month(2026, 3, BELGRADE))
    assert report.bounds == (utc(2026, 2, 28, 23, 0), utc(2026, 3, 31, 22, 0))
    assert report.requested_sessions == 5
    assert report.requested_seconds == (60 + 60 + 45 + 60 + 60) * 60
    assert report.delivered_sessions == 3
    assert report.delivered_seconds == (37 + 60 + 45) * 60
    assert report.filled_sessions == 4
    assert report.fill_rate == pytest.approx(4 / 5)
    # Times to fill 20 min, 40 min, 1 h, 2 h → 50 min.
    assert report.median_time_to_fill == timedelta(minutes=50)
    assert report.late_cancellations == 1
    assert report.outcomes[BookingState.UNFILLED] == 1
    assert (report.calls, report.phone_fallbacks) == (2, 1)
    assert report.seconds_by_language == {("RS", "pus"): 37 * 60, ("RS", "prs"): 60 * 60, ("MK", "pus"): 45 * 60}
    # 37 min at 35.00 EUR = 21.5833 → 21.58; 60 min at 25.00 GBP; 45 min at 35.00 EUR = 26.25.
    assert report.cost == {
        ("RS", "EUR"): Decimal("21.58"),
        ("RS", "GBP"): Decimal("25.00"),
        ("MK", "EUR"): Decimal("26.25"),
    }


def test_filters_narrow_the_report(march):
    belgrade, _skopje = march
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, country_code="MK")).requested_sessions == 1
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, department_id=belgrade.id)).requested_sessions == 4
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, language="prs")).requested_sessions == 1
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, language="mkd")).requested_sessions == 1
    assert monthly_report(ReportFilter.month(2026, 3, BELGRADE, modality=Modality.PHONE)).requested_sessions == 1
    registrations = ReportFilter.month(2026, 3, BELGRADE, session_kind=SessionKind.REGISTRATION)
    assert monthly_report(registrations).cost == {("MK", "EUR"): Decimal("26.25")}


def test_april_gets_the_session_that_starts_after_local_midnight(march):
    report = monthly_report(ReportFilter.month(2026, 4, BELGRADE))
    assert (report.requested_sessions, report.delivered_sessions) == (1, 1)
    assert report.cost == {}  # nobody holds it


NARROWINGS: list[dict[str, object]] = [
    {},
    {"country_code": "RS"},
    {"country_code": "MK"},
    {"country_code": "AL"},
    {"language": "prs"},
    {"language": "mkd"},
    {"modality": Modality.PHONE},
    {"modality": Modality.VIDEO},
    {"session_kind": SessionKind.REGISTRATION},
]


@pytest.mark.parametrize("narrowing", NARROWINGS, ids=lambda narrowing: ",".join(map(str, narrowing.values())) or "all")
def test_the_database_counts_as_the_rules_do_one_booking_at_a_time(march, narrowing):
    """`monthly_report` groups and sums in SQL; `compute_report` over one row per booking is the
    statement of the rules. On the hand-computed month, with every narrowing, they agree."""
    for month in (3, 4):
        report_filter = ReportFilter.month(2026, month, BELGRADE, **narrowing)
        assert monthly_report(report_filter) == monthly_report_from_rows(report_filter)


@pytest.fixture
def awkward(ctx):
    """Serbia in October 2026 (clocks go back on the 25th), with what rounds or truncates:
    instants with microseconds, a cent rate that lands on half a cent, a relay paid in two
    currencies, an assignment since released, a telephone leg that was never answered."""
    belgrade = factories.department("RS")
    cents = factories.interpreter(name="Cent Rate")
    cents.hourly_rate = Decimal("18.00")  # 1 s = 0.005 → 0.01 half up
    lira = factories.interpreter(name="Lira Rate")
    lira.hourly_rate, lira.rate_currency = Decimal("1999.99"), "TRY"
    odd = factories.interpreter(name="Odd Rate")
    odd.hourly_rate = Decimal("27.35")
    created = utc(2026, 10, 1, 9, 0)

    # 1. Booked 08:00:00.7-08:01:00.2 (59.5 s: booked 59 s), delivered 1 s by the call.
    first = booked(
        belgrade,
        starts_at=utc(2026, 10, 5, 8, 0, 0, 700_000),
        state=BookingState.COMPLETED,
        created_at=created + timedelta(microseconds=1),
        confirmed_at=created + timedelta(minutes=10, microseconds=4),
    )
    first.ends_at = utc(2026, 10, 5, 8, 1, 0, 200_000)
    # 2. A relay: two interpreters in two currencies; 37 min booked, no call summary.
    second = booked(
        belgrade,
        starts_at=utc(2026, 10, 26, 8, 0),
        minutes=37,
        relay=True,
        state=BookingState.COMPLETED,
        created_at=created + timedelta(microseconds=3),
        confirmed_at=created + timedelta(minutes=20, microseconds=4),
    )
    # 3. Completed, the interpreter rang in on a leg that was never answered: no fallback.
    third = booked(
        belgrade,
        starts_at=utc(2026, 10, 12, 9, 0),
        minutes=61,
        state=BookingState.COMPLETED,
        created_at=created,
        confirmed_at=created + timedelta(hours=1, microseconds=999_999),
    )
    # 4. Cancelled early after being filled: the assignment was released.
    fourth = booked(
        belgrade,
        starts_at=utc(2026, 10, 20, 9, 0),
        state=BookingState.CANCELLED,
        created_at=created,
        confirmed_at=created + timedelta(minutes=5),
        cancelled_at=utc(2026, 10, 10, 9, 0),
    )
    held(first, cents)
    held(second, odd)
    held(second, lira, leg=2)
    held(third, odd)
    held(fourth, lira, released=True)
    summary(first, 1)
    summary(third, 61 * 60 - 1)
    joined(first, CallRole.OFFICER)
    joined(third, CallRole.OFFICER)
    db.session.add(
        PhoneLeg(
            booking_id=third.id,
            participant="phone-user-1",
            role=CallRole.INTERPRETER,
            display_name="Odd Rate (phone)",
            direction=PhoneDirection.OUTBOUND,
            number_tail="1234",
            status=PhoneLegStatus.NO_ANSWER,
            requested_at=third.starts_at,
        )
    )
    db.session.commit()
    return belgrade


def test_instants_with_microseconds_and_costs_that_land_on_half_a_cent(awkward):
    report_filter = ReportFilter.month(2026, 10, BELGRADE)
    report = monthly_report(report_filter)
    assert report == monthly_report_from_rows(report_filter)
    assert report.requested_seconds == 59 + 37 * 60 + 61 * 60 + 60 * 60
    assert report.delivered_seconds == 1 + 37 * 60 + 61 * 60 - 1
    assert (report.calls, report.phone_fallbacks) == (2, 0)
    # 1 s at 18.00 = 0.005 → 0.01; 37 min at 27.35 = 16.8658 → 16.87; 61 min less 1 s at 27.35
    # = 27.7982 → 27.80; 37 min at 1999.99 TRY = 1233.3272 → 1233.33. The released one: nothing.
    assert report.cost == {("RS", "EUR"): Decimal("44.68"), ("RS", "TRY"): Decimal("1233.33")}
    assert report.cost_sessions == {("RS", "EUR"): 3, ("RS", "TRY"): 1}
    assert report.cost_seconds == {("RS", "EUR"): 1 + 37 * 60 + 61 * 60 - 1, ("RS", "TRY"): 37 * 60}
    assert report.sessions_by_language == {("RS", "pus"): 3}
    # Times to fill 5 min, 10 min + 3 µs, 20 min + 1 µs, 1 h + 999,999 µs: the middle two's mean.
    assert report.median_time_to_fill == timedelta(minutes=15, microseconds=2)
    assert report.fill_rate == 1.0
    assert report.early_cancellations == 1


def test_a_relay_with_both_interpreters_in_one_currency_is_one_session_billed_twice(ctx):
    """Both legs of a 60-minute relay held by interpreters paid in EUR (35.00 and 25.00): one
    session billed, two hours of interpreter time, 35.00 + 25.00."""
    belgrade = factories.department("RS")
    first, second = factories.interpreter(name="Leg One"), factories.interpreter(name="Leg Two")
    second.hourly_rate = Decimal("25.00")
    relay = booked(
        belgrade,
        utc(2026, 3, 1, 9, 0),
        starts_at=utc(2026, 3, 10, 8, 0),
        relay=True,
        state=BookingState.COMPLETED,
        confirmed_at=utc(2026, 3, 2, 9, 0),
    )
    held(relay, first)
    held(relay, second, leg=2)
    db.session.commit()
    report_filter = ReportFilter.month(2026, 3, BELGRADE)
    report = monthly_report(report_filter)
    assert report == monthly_report_from_rows(report_filter)
    assert report.cost == {("RS", "EUR"): Decimal("60.00")}
    assert (report.cost_sessions, report.cost_seconds) == ({("RS", "EUR"): 1}, {("RS", "EUR"): 2 * 3600})


def test_a_month_made_among_other_months_bookings_counts_its_own_calls_and_legs_only(ctx):
    """Live, a month's legs, attendances, summaries and telephone legs are read by the range of its
    bookings' ids: a March booking made long before the others (the lowest id), and February and
    April bookings made in between (ids inside March's range, with calls of their own), leave
    March with exactly its own two sessions, their calls and their costs."""
    belgrade = factories.department("RS")
    mariam = factories.interpreter(name="Mariam Ahmadzai")  # 35.00 EUR
    early = booked(belgrade, utc(2025, 12, 1, 9, 0), starts_at=utc(2026, 3, 10, 8, 0), state=BookingState.COMPLETED)
    db.session.flush()
    others = [
        booked(belgrade, utc(2026, 1, 5, 9, 0), starts_at=starts_at, state=BookingState.COMPLETED)
        for starts_at in (utc(2026, 2, 10, 8, 0), utc(2026, 4, 10, 8, 0))
    ]
    db.session.flush()
    late = booked(belgrade, utc(2026, 2, 1, 9, 0), starts_at=utc(2026, 3, 20, 8, 0), state=BookingState.COMPLETED)
    db.session.flush()
    assert early.id < min(other.id for other in others) and max(other.id for other in others) < late.id
    for record in (early, late, *others):
        held(record, mariam)
        summary(record, 30 * 60)
        joined(record, CallRole.OFFICER)
        joined(record, CallRole.INTERPRETER, channel="phone" if record is early else "browser")
    db.session.commit()

    report_filter = ReportFilter.month(2026, 3, BELGRADE)
    report = monthly_report(report_filter)
    assert report == monthly_report_from_rows(report_filter)
    assert report.requested_sessions == 2
    assert report.delivered_minutes == 60
    assert report.phone_fallbacks == 1
    assert report.cost == {("RS", "EUR"): Decimal("35.00")}
