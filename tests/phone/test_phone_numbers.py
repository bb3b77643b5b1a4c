"""Mobile numbers: how typed numbers are normalised, and that parallel requests cannot get past
the hourly code limit or the wrong-code allowance (real threads, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.enums import Role
from rris.extensions import db
from rris.notifications.integrations.sms import TwilioSmsSender
from rris.phone.models.phone_verification import PhoneVerification
from rris.phone.services.phone_numbers import (
    MAX_CODES_PER_HOUR,
    MAX_WRONG_CODES,
    confirm_verification,
    normalise_phone,
    start_verification,
)
from rris.portal import create_portal
from rris.timeutil import FrozenClock
from tests import factories
from tests.conftest import DEFAULT_NOW, settings_for_test
from tests.support.twilio_recorder import RecordingHttpClient

CONTENDERS = 12
# Keys the stored code hashes; the portal passes its secret key.
SECRET = "a key for the verification codes of these tests"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("+381 64 123-4567", "+381641234567"),
        ("0038164 123 4567", "+381641234567"),
        ("00381641234567", "+381641234567"),
        ("+381 (0)64 123 4567", "+381641234567"),
        ("(+93) 70.123.4567", "+93701234567"),
        ("+93 70 123 4567", "+93701234567"),
        ("0093 70-123-4567", "+93701234567"),
        ("  +1 (202) 555-0143 ", "+12025550143"),
        ("+۹۳ ۷۰ ۱۲۳ ۴۵۶۷", "+93701234567"),  # typed on a Dari or Farsi keyboard
        ("+4915123456789", "+4915123456789"),
    ],
)
def test_numbers_are_normalised_to_e164(typed, normalised):
    assert normalise_phone(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter a mobile number."),
        ("12ab", "Use only digits"),
        ("+381 64 123 456x", "Use only digits"),
        ("+1 800 FLOWERS", "Use only digits"),
        ("064 123 4567", "Start with + (or 00) and the country code"),
        ("+1234567", "too few digits for a number with country code +1"),
        # Eight to fifteen digits after a + is not yet a number: the old pattern kept these two.
        ("+12345678", "too few digits for a number with country code +1"),
        ("+123456789012345", "too many digits for a number with country code +1"),
        ("+381 64 123", "too few digits for a number with country code +381"),
        ("0012345678901234567", "too many digits"),
        ("+", "Enter the whole number with its country code"),
        ("+999 123 456 789", "does not begin with a country code in use"),
        ("+93 99 123 4567", "This is not a valid number: no number with country code +93 looks like it."),
        ("+38190012345", "This is a premium-rate number: it cannot receive SMS and calls."),
        ("+18005550100", "This is a toll-free number"),
        ("+381 11 765 4321", "This is a landline number"),
    ],
)
def test_a_bad_number_is_refused_naming_the_phone_field_and_the_problem(typed, problem):
    with pytest.raises(InvalidInput) as refused:
        normalise_phone(typed)
    assert list(refused.value.errors) == ["phone"]
    assert problem in refused.value.errors["phone"]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path: Path, smtp_server):
    """A portal on its own database, so that threads commit for real (no test transaction around them)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'phones.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"phones_{tmp_path.name[-10:].lower()}")
    recorder = RecordingHttpClient()
    sender = TwilioSmsSender("AC" + "7" * 32, "token-for-tests", "+15005550006", http_client=recorder)
    app = create_portal(settings_for_test(tmp_path, url, smtp_server[1]), FrozenClock(DEFAULT_NOW), sms_sender=sender)
    with app.app_context():
        upgrade()
        user_id = factories.user(Role.INTERPRETER).id
        db.session.commit()
    yield app, user_id, recorder
    with app.app_context():
        db.engine.dispose()


def in_parallel(app, task) -> Counter:
    """Run `task(user)` from CONTENDERS threads at once, each in its own request context; count outcomes."""
    app_, user_id = app
    start = threading.Barrier(CONTENDERS)

    def contender(_index: int) -> str:
        with app_.test_request_context():
            user = db.session.get(User, user_id)
            start.wait()
            try:
                task(user)
            except TooManyAttempts:
                return "throttled"
            except InvalidInput as problem:
                return problem.errors.get("code", problem.errors.get("phone", "?"))
            return "ok"

    with ThreadPoolExecutor(CONTENDERS) as pool:
        return Counter(pool.map(contender, range(CONTENDERS)))


def test_parallel_requests_get_no_more_than_three_codes_an_hour(fresh_app):
    app, user_id, recorder = fresh_app
    outcomes = in_parallel((app, user_id), lambda user: start_verification(user, "+381641234567", DEFAULT_NOW, SECRET))
    assert outcomes == Counter({"ok": MAX_CODES_PER_HOUR, "throttled": CONTENDERS - MAX_CODES_PER_HOUR})
    assert len(recorder.requests) == MAX_CODES_PER_HOUR
    with app.app_context():
        stored = db.session.scalars(select(PhoneVerification).where(PhoneVerification.user_id == user_id)).all()
        assert len(stored) == MAX_CODES_PER_HOUR


def test_parallel_guesses_get_no_more_than_five_tries_at_a_code(fresh_app):
    app, user_id, recorder = fresh_app
    with app.test_request_context():
        start_verification(db.session.get(User, user_id), "+381641234567", DEFAULT_NOW, SECRET)
    (body,) = recorder.sent_bodies
    code = body.split(": ")[1][:6]
    guess = f"{(int(code) + 1) % 1_000_000:06d}"
    outcomes = in_parallel((app, user_id), lambda user: confirm_verification(user, guess, DEFAULT_NOW, SECRET))
    wrong = sum(count for outcome, count in outcomes.items() if "This code is not right" in outcome)
    assert wrong == MAX_WRONG_CODES
    assert outcomes["ok"] == 0
    with app.app_context():
        stored = db.session.scalars(select(PhoneVerification).where(PhoneVerification.user_id == user_id)).one()
        assert stored.attempts == MAX_WRONG_CODES
