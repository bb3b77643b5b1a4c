"""Report figures against hand-computed fixtures: DST months, a session crossing midnight,
fill rate, medians, cancellations, outcomes, telephone fallback and cost per currency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from rris.enums import BookingState, Modality
from rris.reports.domain.billing import ChargeGroup, ChargeRow, cents_to_amount, session_cost, session_cost_cents
from rris.reports.domain.durations import median_duration, median_microseconds
from rris.reports.domain.report_period import ReportFilter, period_bounds
from rris.reports.domain.reports import SessionGroup, SessionRow, compute_report, group_sessions, report_from_groups

BELGRADE = "Europe/Belgrade"
MARCH = ReportFilter.month(2026, 3, BELGRADE)
TENTH_OF_MARCH = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def session(
    booking_id: int,
    starts_at: datetime = TENTH_OF_MARCH,
    minutes: int = 60,
    state: BookingState = BookingState.COMPLETED,
    **fields: object,
) -> SessionRow:
    values: dict[str, object] = {
        "country_code": "RS",
        "applicant_language": "pus",
        "created_at": starts_at - timedelta(days=2),
        "confirmed_at": starts_at - timedelta(days=1),
        "cancelled_late": False,
    }
    values.update(fields)
    return SessionRow(
        booking_id=booking_id,
        state=state,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **values,  # type: ignore[arg-type]
    )


def test_march_in_belgrade_runs_from_cet_midnight_to_cest_midnight():
    """1 March 00:00 CET is 28 Feb 23:00 UTC; 1 April 00:00 CEST is 31 March 22:00 UTC."""
    start, end = MARCH.bounds
    assert start == utc(2026, 2, 28, 23, 0)
    assert end == utc(2026, 3, 31, 22, 0)
    assert end - start == timedelta(hours=31 * 24 - 1)


def test_october_in_belgrade_is_an_hour_longer():
    start, end = ReportFilter.month(2026, 10, BELGRADE).bounds
    assert start == utc(2026, 9, 30, 22, 0)
    assert end == utc(2026, 10, 31, 23, 0)
    assert end - start == timedelta(hours=31 * 24 + 1)


def test_istanbul_keeps_utc_plus_three_all_year():
    start, end = ReportFilter.month(2026, 3, "Europe/Istanbul").bounds
    assert (start, end) == (utc(2026, 2, 28, 21, 0), utc(2026, 3, 31, 21, 0))


def test_december_ends_at_new_year():
    assert ReportFilter.month(2026, 12, BELGRADE).bounds[1] == utc(2026, 12, 31, 23, 0)


def test_a_period_of_local_days_includes_its_last_day():
    assert period_bounds(date(2026, 3, 29), date(2026, 3, 29), BELGRADE) == (
        utc(2026, 3, 28, 23, 0),
        utc(2026, 3, 29, 22, 0),  # the day of the change has 23 hours
    )


def test_a_period_cannot_end_before_it_starts_or_use_an_unknown_zone():
    with pytest.raises(ValueError):
        ReportFilter(date(2026, 3, 2), date(2026, 3, 1), BELGRADE)
    with pytest.raises(ValueError):
        ReportFilter.month(2026, 3, "Europe/Atlantis")


def test_a_session_crossing_midnight_belongs_to_the_month_it_starts_in():
    """31 March 23:30-00:30 CEST local is 21:30-22:30 UTC: March, all 60 minutes."""
    crossing = session(1, starts_at=utc(2026, 3, 31, 21, 30), minutes=60)
    march = compute_report(MARCH, [crossing])
    april = compute_report(ReportFilter.month(2026, 4, BELGRADE), [crossing])
    assert (march.delivered_sessions, march.delivered_seconds) == (1, 3600)
    assert april.requested_sessions == 0


def test_sessions_on_the_boundary_instants():
    """A session at the first instant of March counts; one at the first instant of April does not;
    28 February 23:59 Belgrade (22:59 UTC) is February's."""
    rows = [
        session(1, starts_at=utc(2026, 2, 28, 23, 0)),
        session(2, starts_at=utc(2026, 3, 31, 22, 0)),
        session(3, starts_at=utc(2026, 2, 28, 22, 59)),
    ]
    assert compute_report(MARCH, rows).requested_sessions == 1


def test_requested_delivered_fill_rate_and_cancellations():
    """Six sessions: 2 completed, 1 cancelled early before being filled (left out of the fill
    rate), 1 cancelled late after being filled, 1 unfilled, 1 interpreter no-show.
    Fill rate = filled 4 (2 completed, the late cancellation, the no-show) / (6 − 1) = 0.8."""
    rows = [
        session(1, minutes=60),
        session(2, minutes=90, delivered_seconds=80 * 60),
        session(3, minutes=45, state=BookingState.CANCELLED, confirmed_at=None),
        session(4, minutes=30, state=BookingState.CANCELLED, cancelled_late=True),
        session(5, minutes=60, state=BookingState.UNFILLED, confirmed_at=None),
        session(6, minutes=60, state=BookingState.INTERPRETER_NO_SHOW),
    ]
    report = compute_report(MARCH, rows)
    assert report.requested_sessions == 6
    assert report.requested_seconds == (60 + 90 + 45 + 30 + 60 + 60) * 60
    assert report.requested_minutes == 345
    assert report.delivered_sessions == 2
    assert report.delivered_seconds == (60 + 80) * 60  # booked time for 1, the call's 80 minutes for 2
    assert report.filled_sessions == 4
    assert report.fill_rate == pytest.approx(0.8)
    assert (report.late_cancellations, report.early_cancellations) == (1, 1)
    assert report.interpreter_no_shows == 1
    assert report.applicant_no_shows == 0
    assert report.outcomes == {
        BookingState.COMPLETED: 2,
        BookingState.CANCELLED: 2,
        BookingState.UNFILLED: 1,
        BookingState.INTERPRETER_NO_SHOW: 1,
    }


def test_a_call_summary_of_zero_seconds_delivers_nothing_but_the_session_is_still_delivered():
    report = compute_report(MARCH, [session(1, delivered_seconds=0)])
    assert (report.delivered_sessions, report.delivered_seconds) == (1, 0)


def test_median_time_to_fill_and_lead_time():
    """Times to fill 10 min, 30 min, 2 h (median 30 min); lead times 1 d, 2 d, 3 d, and 4 d for an
    unfilled session that counts for lead time only (median 2.5 d)."""
    start = utc(2026, 3, 20, 8, 0)
    rows = [
        session(
            1,
            starts_at=start,
            created_at=start - timedelta(days=1),
            confirmed_at=start - timedelta(days=1) + timedelta(minutes=10),
        ),
        session(
            2,
            starts_at=start,
            created_at=start - timedelta(days=2),
            confirmed_at=start - timedelta(days=2) + timedelta(minutes=30),
        ),
        session(
            3,
            starts_at=start,
            created_at=start - timedelta(days=3),
            confirmed_at=start - timedelta(days=3) + timedelta(hours=2),
        ),
        session(
            4, starts_at=start, created_at=start - timedelta(days=4), confirmed_at=None, state=BookingState.UNFILLED
        ),
    ]
    report = compute_report(MARCH, rows)
    assert report.median_time_to_fill == timedelta(minutes=30)
    assert report.median_lead_time == timedelta(days=2, hours=12)


def test_empty_report_has_no_rates_or_medians():
    report = compute_report(MARCH, [])
    assert report.fill_rate is None
    assert report.phone_share is None
    assert report.median_time_to_fill is None
    assert report.median_lead_time is None
    assert report.cost == {}


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median_duration([timedelta(minutes=m) for m in (40, 10, 20, 30)]) == timedelta(minutes=25)


def test_phone_share_counts_video_calls_that_fell_back_to_telephone():
    """Video calls: 1 with a fallback, 2 without, 1 never joined (no call); a phone-booked session
    with a phone participant is left out. Share = 1/3."""
    rows = [
        session(1, had_call=True, phone_fallback=True),
        session(2, had_call=True),
        session(3, had_call=True),
        session(4, had_call=False),
        session(5, had_call=True, phone_fallback=True, modality=Modality.PHONE),
    ]
    report = compute_report(MARCH, rows)
    assert (report.calls, report.phone_fallbacks) == (3, 1)
    assert report.phone_share == pytest.approx(1 / 3)


def test_minutes_by_language_by_country_count_delivered_time_only():
    rows = [
        session(1, country_code="RS", applicant_language="pus", delivered_seconds=50 * 60),
        session(2, country_code="RS", applicant_language="pus", minutes=30),
        session(3, country_code="RS", applicant_language="prs", minutes=45),
        session(4, country_code="MK", applicant_language="pus", minutes=60),
        session(5, country_code="MK", applicant_language="arb", state=BookingState.CANCELLED),
    ]
    assert compute_report(MARCH, rows).seconds_by_language == {
        ("RS", "pus"): 80 * 60,
        ("RS", "prs"): 45 * 60,
        ("MK", "pus"): 60 * 60,
    }


def test_cost_rounds_each_session_half_up_to_the_cent():
    """37 min at 25.00/h = 15.41666… → 15.42; 1 s at 18.00/h = 0.005 → 0.01 (half up, not to even)."""
    assert session_cost(37 * 60, Decimal("25.00")) == Decimal("15.42")
    assert session_cost(1, Decimal("18.00")) == Decimal("0.01")
    assert session_cost(0, Decimal("25.00")) == Decimal("0.00")


def test_cost_per_country_and_currency_rounds_per_session_then_sums():
    """Serbia: two 37-minute sessions at 25.00 EUR → 15.42 + 15.42 = 30.84 (not 30.83 from rounding
    the 30.8333 total); a relay session of 60 min with one EUR interpreter at 30.00 and one GBP
    interpreter at 20.00 → +30.00 EUR and 20.00 GBP. North Macedonia: 45 min at 40.00 USD = 30.00.
    Cancelled and no-show sessions cost nothing."""
    rows = [
        session(1, delivered_seconds=37 * 60),
        session(2, minutes=37),
        session(3, minutes=60),
        session(4, country_code="MK", minutes=45),
        session(5, state=BookingState.CANCELLED, cancelled_late=True),
        session(6, state=BookingState.INTERPRETER_NO_SHOW),
    ]
    charges = [
        ChargeRow(1, Decimal("25.00"), "EUR"),
        ChargeRow(2, Decimal("25.00"), "EUR"),
        ChargeRow(3, Decimal("30.00"), "EUR"),
        ChargeRow(3, Decimal("20.00"), "GBP"),
        ChargeRow(4, Decimal("40.00"), "USD"),
        ChargeRow(5, Decimal("35.00"), "EUR"),
        ChargeRow(6, Decimal("35.00"), "EUR"),
        ChargeRow(99, Decimal("35.00"), "EUR"),  # a booking outside the report
    ]
    assert compute_report(MARCH, rows, charges).cost == {
        ("RS", "EUR"): Decimal("60.84"),
        ("RS", "GBP"): Decimal("20.00"),
        ("MK", "USD"): Decimal("30.00"),
    }


def test_a_dst_night_session_counts_its_real_duration():
    """29 March 01:30-03:30 local Belgrade spans the skipped hour: 00:30-01:30 UTC, 60 minutes."""
    night = session(1, starts_at=utc(2026, 3, 29, 0, 30), minutes=60)
    report = compute_report(MARCH, [night], [ChargeRow(1, Decimal("25.00"), "EUR")])
    assert report.delivered_seconds == 3600
    assert report.cost == {("RS", "EUR"): Decimal("25.00")}


@pytest.mark.parametrize("rate", ["18.00", "25.00", "27.35", "35.00", "1999.99", "0.01"])
def test_cost_in_whole_cents_is_the_same_rounding_done_in_integers(rate):
    """The database sums `session_cost_cents`; it must equal `session_cost` for every duration."""
    hourly_rate = Decimal(rate)
    for seconds in [*range(0, 7300, 7), 3600 * 3 + 1, 86_399]:
        assert cents_to_amount(session_cost_cents(seconds, int(hourly_rate * 100))) == session_cost(
            seconds, hourly_rate
        )


def test_median_of_microseconds_is_the_median_of_the_middle_values():
    """Odd and even counts, unsorted; the middle one or two alone give the same median."""
    for values in ([7], [3, 1], [5, 1, 3], [40, 10, 20, 30], [1, 2, 3, 1_000_001]):
        expected = median_duration(timedelta(microseconds=value) for value in values)
        assert median_microseconds(values) == expected
    assert median_microseconds([600_000_003, 1_200_000_001]) == timedelta(minutes=15, microseconds=2)
    assert median_microseconds([]) is None


def test_figures_from_groups_count_each_group_by_its_sessions():
    """Two groups of completed sessions (one with call summaries, one without), three cancelled
    sessions never filled, a no-show; the charges of the no-show cost nothing."""
    groups = [
        SessionGroup("RS", "pus", BookingState.COMPLETED, True, False, Modality.VIDEO, True, True, True, 2, 7200, 5000),
        SessionGroup("RS", "pus", BookingState.COMPLETED, True, False, Modality.PHONE, True, True, False, 1, 2700, 0),
        SessionGroup(
            "MK", "arb", BookingState.CANCELLED, False, True, Modality.VIDEO, False, False, False, 3, 10800, 0
        ),
        SessionGroup(
            "MK", "arb", BookingState.INTERPRETER_NO_SHOW, True, False, Modality.VIDEO, False, False, False, 1, 3600, 0
        ),
    ]
    charges = [
        ChargeGroup("RS", "EUR", BookingState.COMPLETED, True, 2, Decimal("40.10"), Decimal("60.00"), 5000, 7200),
        ChargeGroup("RS", "EUR", BookingState.COMPLETED, False, 1, Decimal("0.00"), Decimal("18.75"), 0, 2700),
        ChargeGroup(
            "MK", "EUR", BookingState.INTERPRETER_NO_SHOW, False, 1, Decimal("0.00"), Decimal("35.00"), 0, 3600
        ),
    ]
    report = report_from_groups(MARCH.bounds, groups, charges)
    assert (report.requested_sessions, report.requested_seconds) == (7, 7200 + 2700 + 10800 + 3600)
    assert (report.delivered_sessions, report.delivered_seconds) == (3, 5000 + 2700)
    assert report.fill_rate == pytest.approx(4 / (7 - 3))
    assert report.late_cancellations == 3
    assert (report.calls, report.phone_fallbacks) == (2, 2)  # the telephone-booked session is left out
    assert report.seconds_by_language == {("RS", "pus"): 7700}
    assert report.sessions_by_language == {("RS", "pus"): 3}
    assert report.cost == {("RS", "EUR"): Decimal("58.85")}
    assert (report.cost_sessions, report.cost_seconds) == ({("RS", "EUR"): 3}, {("RS", "EUR"): 7700})


def test_grouping_rows_keeps_every_figure():
    """`compute_report` groups its rows before counting: grouping loses nothing."""
    rows = [
        session(1, delivered_seconds=50 * 60, had_call=True),
        session(2, minutes=30, had_call=True, phone_fallback=True),
        session(3, minutes=45, state=BookingState.CANCELLED, confirmed_at=None),
        session(4, country_code="MK", applicant_language="arb", state=BookingState.APPLICANT_NO_SHOW),
    ]
    groups = group_sessions(rows)
    assert sum(group.sessions for group in groups) == 4
    assert sum(group.booked_seconds for group in groups) == (60 + 30 + 45 + 60) * 60
    assert sum(group.billable_seconds for group in groups) == (50 + 30) * 60
