"""Ten minutes into a session, the caseworker and coordinators hear if a side has not joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rris.calls.models.calls import CallAttendance
from rris.calls.services.no_shows import check_no_shows
from rris.enums import CallRole, Role
from rris.extensions import db
from rris.notifications.services import outbox
from tests import factories
from tests.notifications.test_outbox import confirmed
from tests.support.letterhead import letterhead

SESSION_START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)


@pytest.fixture
def session(ctx, clock, mailbox):
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example", locale="en")  # reads RRIS in English
    factories.user(Role.COORDINATOR, email="hub@marri.example")
    mariam = factories.interpreter(pairs=(("pus", "srp"),))
    booking = confirmed(jelena, mariam)
    outbox.dispatch_due(clock, letterhead())
    mailbox.clear()
    return booking, jelena, mariam


def joined(booking, user, role, at):
    db.session.add(CallAttendance(booking_id=booking.id, user_id=user.id, role=role, joined_at=at))
    db.session.commit()


def test_the_interpreter_missing_ten_minutes_in_is_reported_once(session, clock, mailbox):
    booking, jelena, _mariam = session
    joined(booking, jelena, CallRole.OFFICER, SESSION_START)
    clock.set(SESSION_START + timedelta(minutes=9, seconds=59))
    assert check_no_shows(clock.now()) == 0
    clock.set(SESSION_START + timedelta(minutes=10))
    assert check_no_shows(clock.now()) == 1
    assert check_no_shows(clock.now()) == 0
    outbox.dispatch_due(clock, letterhead())
    messages = [m for m in mailbox.wait_for(4) if m["Subject"].startswith("Not everyone joined")]
    assert sorted(m["To"] for m in messages) == ["hub@marri.example", "jelena@mup.rs.example"]
    assert "record what happened" in messages[0].get_body().get_content()
    assert any("the interpreter" in (event.note or "") for event in booking.events)


def test_nothing_is_said_when_both_sides_joined(session, clock):
    booking, jelena, mariam = session
    joined(booking, jelena, CallRole.OFFICER, SESSION_START)
    joined(booking, mariam.user, CallRole.INTERPRETER, SESSION_START + timedelta(minutes=2))
    clock.set(SESSION_START + timedelta(minutes=15))
    assert check_no_shows(clock.now()) == 0


def test_a_session_already_over_is_not_reported(session, clock):
    clock.set(SESSION_START + timedelta(hours=2))
    assert check_no_shows(clock.now()) == 0
