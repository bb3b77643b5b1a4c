"""The dispatcher words a batch of due messages together, then claims each under its booking's lock:
what changed between the wording and the claim is worded again, never sent stale; a decision not to
send that the change overturned is not recorded; two dispatchers holding the same batch send each
message once; and a batch costs a few statements a message, not one round of loading each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import flask_babel
from babel import dates as babel_dates
from sqlalchemy import event, text

from rris.access.queries.actors import actor_of
from rris.accounts.services import account_changes
from rris.accounts.services.account_audit import Acting
from rris.bookings.services.bookings import reschedule_booking
from rris.enums import NotificationKind, NotificationState, Role
from rris.extensions import db
from rris.notifications.services import outbox
from rris.notifications.services.wording import Worded
from tests import factories
from tests.notifications.test_outbox import SESSION_START, confirmed, dispatch, jelena, mariam, rows, to_whom
from tests.support.booking_setup import booking_setup
from tests.support.letterhead import letterhead
from tests.support.sql_statements import counted_statements

__all__ = ["jelena", "mariam"]  # the fixtures, for pytest

K = NotificationKind
DUE_24H = SESSION_START - timedelta(hours=24)
LATER = datetime(2030, 1, 1, tzinfo=UTC)  # no batch here runs out of time


def _reminders_due(jelena, mariam, clock, mailbox, sessions=1):
    """Confirmed sessions at one time, each with its interpreter (Mariam first), whose 24-hour reminders
    (to Jelena and the interpreter) are due now; the offers and invitations sent."""
    others = [
        factories.interpreter(pairs=(("pus", "srp"),), email=f"interpreter{number}@interpreters.example")
        for number in range(1, sessions)
    ]
    bookings = [confirmed(jelena, interpreter) for interpreter in [mariam, *others]]
    dispatch(clock)  # the offers and invitations
    mailbox.clear()
    clock.set(DUE_24H)
    return bookings


def _admin_acting(clock) -> Acting:
    admin = factories.user(Role.ADMIN)
    db.session.commit()
    return Acting(actor_of(admin), "127.0.0.1", clock.now())


def test_a_reminder_worded_before_its_session_moved_is_not_sent_and_the_rest_of_the_batch_is(
    jelena, mariam, clock, mailbox
):
    moving, staying = _reminders_due(jelena, mariam, clock, mailbox, sessions=2)
    with outbox.dispatching(clock, letterhead()) as dispatcher:
        worded = dispatcher.word(outbox.due_ids(clock.now()))
        assert len(worded) == 4 and all(isinstance(item, Worded) for item in worded)

        # Between the wording and the claims the caseworker moves one session to another day.
        reschedule_booking(
            moving.id, actor_of(jelena), datetime(2026, 1, 16, 10, 0), None, clock.now(), booking_setup()
        )
        outcomes = dispatcher.send(worded, LATER)

    messages = mailbox.wait_for(2)
    assert outcomes["sent"] == 2
    assert {m["Subject"].split(":")[0] for m in messages} == {"Tomorrow"}
    assert all(staying.code in m.get_body().get_content() for m in messages)
    assert not any(moving.code in m.get_body().get_content() for m in mailbox.messages)
    assert {row.state for row in rows(moving, K.REMINDER_24H) if row.version == 1} == {NotificationState.SKIPPED}


def test_a_reminder_worded_before_its_recipient_was_deactivated_is_held_back(jelena, mariam, clock, mailbox):
    [booking] = _reminders_due(jelena, mariam, clock, mailbox)
    acting = _admin_acting(clock)
    with outbox.dispatching(clock, letterhead()) as dispatcher:
        worded = dispatcher.word(outbox.due_ids(clock.now()))
        account_changes.deactivate(jelena.id, jelena.version, "Left the office.", acting)
        outcomes = dispatcher.send(worded, LATER)

    assert outcomes["sent"] == 1 and outcomes["skipped"] == 1
    assert to_whom(mailbox.wait_for(1)) == ["mariam@interpreters.example"]
    held = {row.recipient.email: row for row in rows(booking, K.REMINDER_24H)}["jelena@mup.rs.example"]
    assert held.state is NotificationState.SKIPPED
    assert held.outcome == "the recipient's account is inactive"


def test_a_skip_decided_before_the_recipient_was_reactivated_is_not_recorded_and_the_reminder_goes(
    jelena, mariam, clock, mailbox
):
    [booking] = _reminders_due(jelena, mariam, clock, mailbox)
    acting = _admin_acting(clock)
    account_changes.deactivate(jelena.id, jelena.version, "On leave.", acting)
    with outbox.dispatching(clock, letterhead()) as dispatcher:
        decided = dispatcher.word(outbox.due_ids(clock.now()))
        assert sorted(type(item).__name__ for item in decided) == ["Settled", "Worded"]
        db.session.refresh(jelena)
        account_changes.reactivate(jelena.id, jelena.version, "Back from leave.", acting)
        outcomes = dispatcher.send(decided, LATER)

    assert outcomes["sent"] == 2 and outcomes["skipped"] == 0
    assert to_whom(mailbox.wait_for(2)) == ["jelena@mup.rs.example", "mariam@interpreters.example"]
    assert {row.state for row in rows(booking, K.REMINDER_24H)} == {NotificationState.SENT}


def test_two_dispatchers_holding_the_same_worded_batch_send_each_message_once(jelena, mariam, clock, mailbox):
    _reminders_due(jelena, mariam, clock, mailbox, sessions=3)
    with outbox.dispatching(clock, letterhead()) as first, outbox.dispatching(clock, letterhead()) as second:
        ids = outbox.due_ids(clock.now())
        first_batch, second_batch = first.word(ids), second.word(ids)
        assert len(first_batch) == len(second_batch) == 6
        sent_first = first.send(first_batch, LATER)
        sent_second = second.send(second_batch, LATER)

    assert sent_first["sent"] == 6
    assert sent_second["sent"] == 0 and sent_second["skipped"] == 6
    messages = mailbox.wait_for(6)
    assert len({(m["To"], m.get_body().get_content()) for m in messages}) == 6
    assert len(mailbox.messages) == 6


def test_a_batch_of_reminders_costs_a_few_statements_a_message(jelena, mariam, clock, mailbox):
    sessions = 6
    _reminders_due(jelena, mariam, clock, mailbox, sessions=sessions)
    messages = 2 * sessions
    with counted_statements() as reads:
        report = dispatch(clock)
    assert report.sent == messages
    # Per message: its booking locked with what it was worded from (one SELECT); the claim and
    # the outcome are UPDATEs. The batch's reading is a fixed handful of SELECTs, whatever its size.
    assert len(reads) <= messages + 10  # 20 for 12 messages on both databases; was 6 a message


def test_wording_a_batch_finds_each_message_s_catalogue_once_and_words_each_zone_and_time_once(
    jelena, mariam, clock, mailbox, monkeypatch
):
    sessions = 6
    _reminders_due(jelena, mariam, clock, mailbox, sessions=sessions)
    catalogues, cities = [], []
    find_catalogue, find_city = flask_babel.Domain.get_translations, babel_dates.get_timezone_location

    def catalogue(domain):  # type: ignore[no-untyped-def]
        catalogues.append(domain)
        return find_catalogue(domain)

    def city(*args, **kwargs):  # type: ignore[no-untyped-def]
        cities.append(args)
        return find_city(*args, **kwargs)

    spans: list[tuple[object, ...]] = []
    find_span = babel_dates.format_interval

    def span(*args, **kwargs):  # type: ignore[no-untyped-def]
        spans.append(args)
        return find_span(*args, **kwargs)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", catalogue)
    monkeypatch.setattr(babel_dates, "get_timezone_location", city)
    monkeypatch.setattr(babel_dates, "format_interval", span)
    with outbox.dispatching(clock, letterhead()) as dispatcher:
        worded = dispatcher.word(outbox.due_ids(clock.now()))

    assert len(worded) == 2 * sessions and all(isinstance(item, Worded) for item in worded)
    # A message's own sentences read its recipient's catalogue, found once for the message; the
    # labels it borrows (session kind, modality) go through Flask-Babel each. Was 17 a message.
    assert len(catalogues) <= 4 * len(worded)
    # Each time names its zone's city (three a message): looked up once per zone and language at most.
    assert len(cities) <= 2
    # The sessions start at one time: each reader's zone and language words it once, not once a message.
    assert len(spans) <= 2


def test_a_message_s_claim_checks_what_it_was_worded_from_in_the_statement_that_claims_it(
    jelena, mariam, clock, mailbox
):
    sessions = 6
    _reminders_due(jelena, mariam, clock, mailbox, sessions=sessions)
    messages = 2 * sessions
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):  # the test's commits
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = dispatch(clock)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert report.sent == messages
    guard_reads = [s for s in statements if s.lstrip().startswith("SELECT notifications.id, bookings.version")]
    if db.engine.dialect.name == "postgresql":
        # The previous message's outcome, the booking locked with what the message was worded from,
        # and the claim: one statement. The batch's reading: a fixed handful.
        claims = [s for s in statements if "FOR UPDATE OF bookings" in s and "UPDATE notifications" in s]
        assert len(claims) == messages
        assert len(statements) <= messages + 12  # was 3 a message
    else:
        # Under SQLite's write lock: the previous outcome's UPDATE and the claim's, which checks the
        # guard itself; the guard is read only when a claim does not happen. Was 3 a message, and BEGIN.
        claims = [s for s in statements if s.startswith("UPDATE notifications") and "EXISTS" in s]
        assert len(claims) == messages
        assert len(statements) <= 3 * messages + 12
    assert not guard_reads


def test_a_reminder_goes_when_its_booking_s_instant_is_stored_as_other_writers_write_it(jelena, mariam, clock, mailbox):
    [booking] = _reminders_due(jelena, mariam, clock, mailbox)
    # Another writer (a script, a manual fix) stores the same instant without microseconds: the
    # same value, another text. The claim must still send the reminder, once.
    db.session.execute(
        text("UPDATE bookings SET updated_at = :when WHERE id = :id"),
        {"when": booking.updated_at.strftime("%Y-%m-%d %H:%M:%S+00:00"), "id": booking.id},
    )
    db.session.commit()
    report = dispatch(clock)

    assert report.sent == 2
    assert to_whom(mailbox.wait_for(2)) == ["jelena@mup.rs.example", "mariam@interpreters.example"]
    assert {row.state for row in rows(booking, K.REMINDER_24H)} == {NotificationState.SENT}
    assert dispatch(clock).handled == 0


def test_a_reminder_worded_while_the_run_waits_for_it_goes_at_its_time_unless_its_session_moved_meanwhile(
    jelena, mariam, clock, mailbox
):
    moving, staying = _reminders_due(jelena, mariam, clock, mailbox, sessions=2)
    clock.set(DUE_24H - timedelta(milliseconds=400))
    waits: list[float] = []

    def wait(seconds: float) -> None:  # the portal moves a session while the dispatcher sleeps
        if not waits:
            assert mailbox.messages == []  # worded ahead, nothing sent before its time
            reschedule_booking(
                moving.id, actor_of(jelena), datetime(2026, 1, 16, 10, 0), None, clock.now(), booking_setup()
            )
        waits.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    report = outbox.dispatch_due(
        clock, letterhead(), budget=timedelta(seconds=2), lookahead=timedelta(seconds=1), wait=wait
    )

    assert waits[0] == 0.4
    assert report.sent >= 2  # with the move's calendar updates, due at once
    reminders = [m for m in mailbox.messages if m["Subject"].startswith("Tomorrow")]
    assert len(reminders) == 2
    assert all(staying.code in m.get_body().get_content() for m in reminders)
    assert {row.finished_at for row in rows(staying, K.REMINDER_24H)} == {DUE_24H}
    assert {row.state for row in rows(moving, K.REMINDER_24H) if row.version == 1} == {NotificationState.SKIPPED}


def test_a_burst_larger_than_a_batch_is_worded_ahead_batch_after_batch_and_sent_at_its_time(
    jelena, mariam, clock, mailbox
):
    bookings = _reminders_due(jelena, mariam, clock, mailbox, sessions=3)
    clock.set(DUE_24H - timedelta(milliseconds=400))
    waits: list[float] = []
    with counted_statements() as reads:

        def wait(seconds: float) -> None:
            waits.append(len(reads))
            clock.advance(timedelta(seconds=seconds))

        report = outbox.dispatch_due(
            clock, letterhead(), budget=timedelta(seconds=1), batch_size=2, lookahead=timedelta(seconds=1), wait=wait
        )

    [at_the_wait] = waits
    loads = ["notifications.useful_until" in statement for statement in reads]  # a batch's rows read to word them
    assert sum(loads[:at_the_wait]) == 3  # three batches of two, worded before their time
    assert not any(loads[at_the_wait:])  # at their time only claimed and sent
    assert report.sent == 6
    assert len(mailbox.wait_for(6)) == 6
    assert {row.finished_at for booking in bookings for row in rows(booking, K.REMINDER_24H)} == {DUE_24H}


def test_a_message_goes_out_as_the_bytes_made_when_it_was_worded(jelena, mariam, clock, mailbox):
    _reminders_due(jelena, mariam, clock, mailbox)
    with outbox.dispatching(clock, letterhead()) as dispatcher:
        worded = dispatcher.word(outbox.due_ids(clock.now()))
        made = {message_from_bytes(item.message.wire[1])["Message-ID"] for item in worded}
        assert dispatcher.send(worded, LATER)["sent"] == 2

    assert {m["Message-ID"] for m in mailbox.wait_for(2)} == made
