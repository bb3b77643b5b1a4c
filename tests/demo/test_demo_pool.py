"""The demo pool: seven authorities, about 60 interpreters, loaded twice without duplicates."""

from datetime import UTC, date, datetime, timedelta

import phonenumbers
from flask_babel import force_locale
from sqlalchemy import func, select

from rris.accounts.domain.second_factor import totp_code, totp_step
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.services.sign_in import authenticate, throttle_policy
from rris.bookings.models.bookings import Booking, BookingEvent, Offer
from rris.common.services.wording import region_label
from rris.context import current_settings
from rris.demo.pool import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo_pool, pool_is_empty
from rris.enums import OfferState, Role
from rris.extensions import db
from rris.phone.domain.phone_numbers import read_phone_number
from rris.phone.domain.toll_guard import check_number
from rris.phone.services.callable_countries import callable_countries
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile, LanguagePair
from tests.conftest import DEFAULT_NOW, committed
from tests.support.second_factor import SECOND_STEP_PATH


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Country, Department, User, InterpreterProfile, LanguagePair, Booking, Offer, BookingEvent)
    }


def test_loading_twice_creates_nothing_the_second_time(ctx):
    assert pool_is_empty()
    first = load_demo_pool(DEFAULT_NOW)
    after_first = counts()
    second = load_demo_pool(DEFAULT_NOW)
    assert first.created > 0 and second.created == 0
    assert counts() == after_first
    assert after_first["Country"] == 7
    assert 55 <= after_first["InterpreterProfile"] <= 70


def test_every_role_has_a_demo_login_that_works(demo_pool):
    roles = set()
    for _label, email in DEMO_LOGINS:
        user = authenticate(email, DEMO_PASSWORD, "127.0.0.1", DEFAULT_NOW, throttle_policy(current_settings()))
        roles.add(user.role)
    assert roles == set(Role)


def test_the_seven_authorities_have_the_zones_of_the_brief_and_kosovo_its_footnote(demo_pool):
    zones = dict(db.session.execute(select(Country.code, Country.timezone)).all())
    assert zones == {
        "AL": "Europe/Tirane",
        "BA": "Europe/Sarajevo",
        "XK": "Europe/Belgrade",
        "ME": "Europe/Podgorica",
        "MK": "Europe/Skopje",
        "RS": "Europe/Belgrade",
        "TR": "Europe/Istanbul",
    }
    kosovo = db.session.scalar(select(Country).where(Country.code == "XK"))
    with force_locale("en"):
        name, footnote = region_label(kosovo.code)
    assert name == "Kosovo*" and footnote and "UNSCR 1244/1999" in footnote


def test_the_kabul_pashto_interpreter_can_take_a_belgrade_morning(demo_pool):
    email = dict((label, address) for label, address in DEMO_LOGINS)["interpreter"]
    user = db.session.scalar(select(User).where(User.email == email))
    profile = user.interpreter_profile
    assert profile.timezone == "Asia/Kabul"
    assert any("pus" in (pair.language_a, pair.language_b) for pair in profile.language_pairs)
    serbia = next(item for item in profile.accreditations if item.country.code == "RS")
    assert serbia.is_valid_on(date(2026, 1, 12))
    monday = [window for window in profile.availability if window.weekday == 0]
    assert any(window.start_minute <= 12 * 60 + 30 < window.end_minute for window in monday)


def test_no_one_covers_pashto_macedonian_directly_so_relay_is_needed(demo_pool):
    direct = db.session.scalar(
        select(func.count()).where(LanguagePair.language_a == "mkd", LanguagePair.language_b == "pus")
    )
    assert direct == 0


def test_demo_call_books_a_session_about_to_start_with_its_interpreter_outside_any_request(app, clock):
    """`flask demo call` runs with an app context only, as the scheduler's jobs do: nothing in the
    booking services may need an HTTP request (the locale falls back to English). Mariam gets the
    session through the engine: she was offered it and accepted, nobody assigned it by hand."""
    with app.app_context():
        load_demo_pool(clock.now())
        result = app.test_cli_runner().invoke(args=["demo", "call", "--in-minutes", "10"])
        assert result.exit_code == 0, result.output
        assert "with Mariam Ahmadzai is confirmed" in result.output and "/calls/" in result.output
        booking = db.session.scalars(select(Booking).where(Booking.case_reference == "DEMO-CALL")).one()
        assignment = booking.active_assignments[0]
        assert assignment.interpreter.user.email == dict(DEMO_LOGINS)["interpreter"]
        assert assignment.manual is False and assignment.waived_reasons is None
        accepted = [offer for offer in booking.offers if offer.state is OfferState.ACCEPTED]
        assert [offer.interpreter_id for offer in accepted] == [assignment.interpreter_id]
        assert timedelta(minutes=10) <= booking.starts_at - clock.now() <= timedelta(minutes=11)


def test_a_demo_call_the_engine_refuses_says_why_and_changes_nothing(app, clock):
    """At 21:30 in Kabul Mariam is outside her weekly availability: the command fails with the
    engine's reason, and no booking, offer, history or message is left behind."""
    from rris.notifications.models.notifications import Notification

    clock.set(datetime(2026, 1, 12, 17, 0, tzinfo=UTC))  # 21:30 in Kabul, 18:00 in Belgrade
    with app.app_context():
        load_demo_pool(clock.now())
        before = counts()
        result = app.test_cli_runner().invoke(args=["demo", "call"])
        assert result.exit_code == 1
        assert "Mariam Ahmadzai" in result.output and "Nothing was booked" in result.output
        assert "availability" in result.output
        db.session.rollback()  # read afresh what the database holds
        assert counts() == before
        assert db.session.scalar(select(func.count()).where(Booking.case_reference == "DEMO-CALL")) == 0
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_demo_caseworker_and_interpreter_have_verified_numbers_the_fallback_can_ring(demo_pool):
    logins = dict(DEMO_LOGINS)
    for label, region in (("caseworker", "RS"), ("interpreter", "AF")):
        user = db.session.scalar(select(User).where(User.email == logins[label]))
        assert user.phone_verified_at is not None, label
        number = phonenumbers.parse(user.phone)
        assert phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == region


def test_every_verified_demo_number_is_one_the_telephone_fallback_rings_by_default(demo_pool):
    regions = callable_countries().regions
    verified = db.session.scalars(select(User).where(User.phone_verified_at.is_not(None))).all()
    assert len(verified) > 20
    refused = {user.email: check_number(user.phone, regions).refusal for user in verified}
    assert {email: why for email, why in refused.items() if why} == {}


def test_every_demo_number_is_one_the_profile_would_accept_as_typed(demo_pool):
    numbers = db.session.scalars(select(User.phone).where(User.phone.is_not(None))).all()
    assert len(numbers) > 20
    assert {number: read_phone_number(number) for number in numbers} == {number: number for number in numbers}


def test_the_demo_admin_coordinators_and_focal_points_sign_in_with_the_published_app_key(
    app, browser, another_browser
):
    with committed(app):
        load_demo_pool(DEFAULT_NOW, SecondFactorKeys(current_settings().second_factor_key))
        caseworker_emails = set(db.session.scalars(select(User.email).where(User.role == Role.CASEWORKER)))
    printed = app.test_cli_runner().invoke(args=["demo", "logins"]).output
    assert DEMO_TOTP_SECRET in printed and "demo code" in printed
    code = app.test_cli_runner().invoke(args=["demo", "code"]).output.strip()
    assert code == totp_code(DEMO_TOTP_SECRET, totp_step(DEFAULT_NOW))
    admin = dict(DEMO_LOGINS)["admin"]
    asked = browser.submit("/login", {"email": admin, "password": DEMO_PASSWORD})
    assert asked.location.endswith(SECOND_STEP_PATH)
    assert browser.second_step(code).location == "/"
    # A caseworker's role needs no second factor: the demo gives them none.
    assert dict(DEMO_LOGINS)["caseworker"] in caseworker_emails
    assert another_browser.sign_in(dict(DEMO_LOGINS)["caseworker"], DEMO_PASSWORD).location == "/"
