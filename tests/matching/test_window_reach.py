"""A search reads the weekly windows that can matter to its span, on the interpreter's own clock.

Only windows overlapping a local piece of the span (its weekday, its minutes, split at local
midnight and at clock changes) can cover it, so only those are read; an interpreter whose zone the
process has not met yet keeps every window, and a span of days reads them all. Each case also
checks that the engine finds the interpreter as free as before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import event

from rris.extensions import db
from rris.matching.domain.engine import match
from rris.matching.domain.snapshots import Interval, MatchRequest
from rris.matching.queries.candidates import candidate_snapshots
from rris.matching.queries.window_reach import known_zones, learn_zones
from rris.pool.models.interpreters import AvailabilityWindow, InterpreterProfile
from tests import factories
from tests.matching.test_builders import span, utc

NOW = utc(2026, 1, 10, 12)
MONDAY, TUESDAY, SATURDAY, SUNDAY = 0, 1, 5, 6
Window = tuple[int, int, int]  # weekday, start minute, end minute (local)


def pashto_interpreter(zone: str, *windows: Window) -> InterpreterProfile:
    """A Pashto-English interpreter in `zone`, accredited for Serbia all 2026, with exactly these windows."""
    profile = factories.interpreter(zone=zone, on=date(2026, 7, 1))
    profile.accreditations[0].valid_from = date(2026, 1, 1)
    learn_zones({zone})
    profile.availability = [AvailabilityWindow(weekday=d, start_minute=s, end_minute=e) for d, s, e in windows]
    db.session.flush()
    return profile


def windows_read(profile: InterpreterProfile, interval: Interval) -> set[Window]:
    """The windows a search over `interval` reads for `profile`."""
    [candidate] = candidate_snapshots(interval, NOW, interpreter_ids=[profile.id])
    return {(w.weekday, w.start_minute, w.end_minute) for w in candidate.windows}


def free(profile: InterpreterProfile, interval: Interval) -> bool:
    """Whether the engine, on what the search read, finds the interpreter eligible at `interval`."""
    request = MatchRequest("pus", "eng", factories.country("RS").id, interval)
    candidates = candidate_snapshots(interval, NOW, interpreter_ids=[profile.id])
    return match(request, candidates, NOW).eligible_count == 1


def test_each_interpreter_gets_the_windows_of_her_own_clock_for_the_same_session(ctx):
    # Monday 08:00-10:00 UTC is 08:00-10:00 in London and 12:30-14:30 in Kabul.
    week = ((MONDAY, 480, 720), (MONDAY, 720, 1080), (TUESDAY, 480, 1080))
    london, kabul = pashto_interpreter("Europe/London", *week), pashto_interpreter("Asia/Kabul", *week)
    session = span(utc(2026, 1, 12, 8))
    assert windows_read(london, session) == {(MONDAY, 480, 720)}
    assert windows_read(kabul, session) == {(MONDAY, 720, 1080)}
    assert free(london, session) and free(kabul, session)


def test_a_session_across_local_midnight_reads_the_windows_of_both_days(ctx):
    # Monday 19:00-21:00 UTC is Monday 23:30 to Tuesday 01:30 in Kabul.
    kabul = pashto_interpreter(
        "Asia/Kabul",
        (MONDAY, 1320, 1440),
        (TUESDAY, 0, 120),
        (MONDAY, 540, 1020),
        (TUESDAY, 540, 1020),
        (SUNDAY, 0, 120),
    )
    session = span(utc(2026, 1, 12, 19))
    assert windows_read(kabul, session) == {(MONDAY, 1320, 1440), (TUESDAY, 0, 120)}
    assert free(kabul, session)
    # A session running past her Tuesday window finds her not free, as before.
    assert not free(kabul, span(utc(2026, 1, 12, 19), 180))


def test_on_the_spring_forward_night_the_missing_hour_needs_no_window(ctx):
    # 29 March 2026, Belgrade: 02:00 becomes 03:00; 00:30-02:30 UTC is 01:30-02:00 and 03:00-04:30.
    belgrade = pashto_interpreter(
        "Europe/Belgrade",
        (SUNDAY, 60, 120),
        (SUNDAY, 120, 180),  # the hour that does not exist that night
        (SUNDAY, 180, 300),
        (SUNDAY, 600, 700),
        (SATURDAY, 1380, 1440),
    )
    session = span(utc(2026, 3, 29, 0, 30))
    assert windows_read(belgrade, session) == {(SUNDAY, 60, 120), (SUNDAY, 180, 300)}
    assert free(belgrade, session)


def test_on_the_fall_back_night_the_repeated_hour_reads_its_window_once(ctx):
    # 25 October 2026, Belgrade: 03:00 becomes 02:00; 00:00-02:00 UTC is 02:00-03:00 twice.
    belgrade = pashto_interpreter("Europe/Belgrade", (SUNDAY, 120, 180), (SUNDAY, 0, 120), (SUNDAY, 180, 240))
    session = span(utc(2026, 10, 25, 0))
    assert windows_read(belgrade, session) == {(SUNDAY, 120, 180)}
    assert free(belgrade, session)


def test_an_interpreter_in_a_zone_not_met_yet_keeps_every_window_until_it_is(ctx):
    zone = next(
        name for name in sorted(available_timezones()) if name.startswith("Pacific/") and name not in known_zones()
    )
    week = ((MONDAY, 0, 1440), (TUESDAY, 0, 1440), (SATURDAY, 600, 700))
    profile = factories.interpreter(zone=zone, on=NOW.date())
    profile.availability = [AvailabilityWindow(weekday=d, start_minute=s, end_minute=e) for d, s, e in week]
    db.session.flush()
    session = span(datetime(2026, 1, 12, 9, tzinfo=ZoneInfo(zone)))  # Monday 09:00 on her clock
    assert windows_read(profile, session) == set(week)
    assert zone in known_zones()  # the search met it
    assert windows_read(profile, session) == {(MONDAY, 0, 1440)}


def test_a_zone_met_later_changes_a_bound_value_never_the_statement(ctx):
    # Every zone met is bound in one parameter: a statement whose text grew with each zone would be
    # compiled (and planned by the server) again for each new zone, and kept once per zone count.
    london = pashto_interpreter("Europe/London", (MONDAY, 480, 720), (MONDAY, 720, 1080))
    session = span(utc(2026, 1, 12, 8))
    sent: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        windows_read(london, session)
        before = len(known_zones())
        unmet = sorted(available_timezones() - set(known_zones()))
        new = next(name for name in unmet if name.startswith("Etc/"))
        learn_zones({new})
        assert len(known_zones()) == before + 1
        windows_read(london, session)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    (first, first_values), (second, second_values) = sent
    assert first == second
    assert first_values != second_values  # the new zone came as a value
    assert new in str(second_values)


def test_a_span_of_days_reads_every_window(ctx):
    week = ((MONDAY, 480, 720), (TUESDAY, 480, 1080), (SATURDAY, 600, 700), (SUNDAY, 0, 60))
    london = pashto_interpreter("Europe/London", *week)
    days = Interval(utc(2026, 1, 12, 8), utc(2026, 1, 12, 8) + timedelta(days=8))
    assert windows_read(london, days) == set(week)
