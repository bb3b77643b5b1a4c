"""Other start times when the requested one is full: soon, spread apart, never in the past."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from rris.matching.domain.engine import match
from rris.matching.domain.rules import evaluate
from rris.matching.domain.snapshots import AccreditationPeriod
from rris.matching.domain.suggestions import suggest_slots
from tests.matching.test_builders import (
    NOW,
    SERBIA,
    belgrade,
    generated_pool,
    job,
    make_candidate,
    make_request,
    span,
    utc,
    windows,
)

BELGRADE = ZoneInfo("Europe/Belgrade")
WEEK = timedelta(days=7)


def full_request():
    """06:00 Belgrade on Monday: 09:30 in Kabul, before the Kabul interpreters start at 12:00."""
    return make_request(interval=span(belgrade(2026, 1, 12, 6)))


def kabul_afternoons(interpreter_id: int = 1, **overrides):
    return make_candidate(interpreter_id, windows=windows(range(5), 12, 16), **overrides)


def test_when_the_requested_time_is_full_three_later_slots_within_a_week_are_suggested():
    request = full_request()
    pool = [kabul_afternoons(1), kabul_afternoons(2)]
    assert match(request, pool, NOW).eligible_count == 0
    slots = suggest_slots(request, pool, NOW)
    assert len(slots) == 3
    for slot in slots:
        assert request.interval.start < slot.interval.start <= request.interval.start + WEEK
        assert slot.interval.duration == request.interval.duration
        moved = make_request(interval=slot.interval)
        assert slot.eligible_count == sum(1 for c in pool if not evaluate(c, moved, NOW)) == 2


def test_the_first_suggestion_is_the_earliest_eligible_start():
    slots = suggest_slots(full_request(), [kabul_afternoons()], NOW)
    # 12:00 in Kabul is 08:30 in Belgrade in January.
    assert slots[0].interval.start == belgrade(2026, 1, 12, 8, 30)


def test_suggestions_are_spread_at_least_one_session_apart():
    slots = suggest_slots(full_request(), [kabul_afternoons()], NOW)
    starts = [slot.interval.start for slot in slots]
    assert starts == sorted(starts)
    for earlier, later in zip(starts, starts[1:], strict=False):
        assert later - earlier >= full_request().interval.duration
    assert [s.astimezone(BELGRADE).strftime("%a %H:%M") for s in starts] == ["Mon 08:30", "Mon 10:30", "Tue 08:30"]


def test_no_suggestion_lies_in_the_past():
    now = belgrade(2026, 1, 13, 9, 10)
    slots = suggest_slots(full_request(), [kabul_afternoons()], now)
    assert slots
    assert all(slot.interval.start >= now for slot in slots)
    assert slots[0].interval.start == belgrade(2026, 1, 13, 9, 30)


def test_suggestions_respect_jobs_and_the_horizon_and_the_limit():
    busy_monday = kabul_afternoons(commitments=(job(90, utc(2026, 1, 12, 7), 300),))
    slots = suggest_slots(full_request(), [busy_monday], NOW, limit=2)
    assert len(slots) == 2
    assert all(slot.interval.start.astimezone(BELGRADE).date() != date(2026, 1, 12) for slot in slots)
    assert suggest_slots(full_request(), [busy_monday], NOW, horizon=timedelta(hours=6)) == ()


def test_accreditation_is_checked_on_each_suggested_date():
    until_tuesday = (AccreditationPeriod(SERBIA, date(2025, 1, 1), date(2026, 1, 13)),)
    slots = suggest_slots(full_request(), [kabul_afternoons(accreditations=until_tuesday)], NOW, limit=10)
    assert slots
    assert all(slot.interval.start.astimezone(BELGRADE).date() <= date(2026, 1, 13) for slot in slots)


def test_nobody_with_the_language_means_no_suggestions():
    assert suggest_slots(make_request(officer_language="mkd"), [kabul_afternoons()], NOW) == ()


def test_two_thousand_generated_interpreters_give_suggestions_the_engine_agrees_with():
    pool = generated_pool(2000)
    request = make_request(officer_language="srp", interval=span(belgrade(2026, 1, 17, 23)))
    slots = suggest_slots(request, pool, NOW)
    assert len(slots) == 3
    for slot in slots:
        assert (
            slot.eligible_count
            == match(make_request(officer_language="srp", interval=slot.interval), pool, NOW).eligible_count
        )
