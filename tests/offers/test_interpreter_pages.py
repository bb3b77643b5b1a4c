"""The interpreter's pages: offers in her own zone, accepting and declining, jobs, weekly hours
and time off, with field errors, 403/404/400 where they belong and never a 500."""

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking, Offer
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import request_booking
from rris.context import current_clock
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.interpreters import AvailabilityWindow, InterpreterProfile, TimeOff
from tests import factories
from tests.support.booking_setup import booking_setup

TUESDAY_0900_BELGRADE = "2026-01-13T09:00"  # 08:00 UTC; 12:30 in Kabul in January
WEEK_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@contextmanager
def setting_up(app):
    """Create data through the real services (they need a request for translations) and commit it."""
    with app.test_request_context():
        yield
        db.session.commit()


def book(app, caseworker_email, start_local=TUESDAY_0900_BELGRADE, minutes=120, **changes):
    """A caseworker's booking through the booking service; returns its id once offers are out."""
    with setting_up(app):
        user = db.session.scalar(select(User).where(User.email == caseworker_email))
        values = {
            "applicant_language": "pus",
            "officer_language": "srp",
            "session_kind": "asylum_interview",
            "start_local": start_local,
            "duration_minutes": minutes,
            "case_reference": f"RS-{start_local}",
            "notes": "Second interview; short sentences help.",
        }
        values.update(changes)
        booking, _created = request_booking(
            BookingRequest(**values), user, actor_of(user), current_clock().now(), booking_setup()
        )
        booking_id = booking.id
    return booking_id


def offer_id_for(app, booking_id, email):
    with app.app_context():
        return db.session.scalar(
            select(Offer.id)
            .join(Offer.interpreter)
            .join(InterpreterProfile.user)
            .where(Offer.booking_id == booking_id, User.email == email)
        )


def code_of(app, booking_id):
    with app.app_context():
        return db.session.get(Booking, booking_id).code


@pytest.fixture
def pool(app):
    """A caseworker in Belgrade and two Pashto interpreters in Kabul (Mon-Fri 09:00-17:00 their time)."""
    with setting_up(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade)
        mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        omid = factories.interpreter(email="omid@pool.example", pairs=(("pus", "srp"),), name="Omid Karimi")
        ids = {"mariam": mariam.id, "omid": omid.id}
    return ids


def week_form(**days):
    return {day: days.get(day, "") for day in WEEK_DAYS}


def windows_of(app, interpreter_id):
    with app.app_context():
        rows = db.session.scalars(
            select(AvailabilityWindow)
            .where(AvailabilityWindow.interpreter_id == interpreter_id)
            .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)
        )
        return [(row.weekday, row.start_minute, row.end_minute) for row in rows]


# Offers


def test_an_interpreter_in_kabul_sees_a_0900_belgrade_offer_at_1230_her_time(app, browser, pool):
    book(app, "jelena@mup.rs.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.get("/offers")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tue, 13 Jan, 12:30\u201314:30 Kabul (UTC+04:30)" in page
    assert "Tue, 13 Jan, 09:00\u201311:00 Belgrade (UTC+01:00)" in page
    assert "Asylum interview" in page and "Pashto" in page and "Serbian" in page
    assert "2 hrs" in page and "video" in page
    assert "Asylum Office Belgrade, Serbia" in page
    # What she needs to decide, never the case: no reference, no notes until the job is hers.
    assert "Second interview; short sentences help." not in page and "RS-2026-01-13T09:00" not in page
    # An offer stands 30 minutes: until 08:30 UTC, 13:00 in Kabul.
    assert "Answer by" in page and "Mon, 12 Jan, 13:00 Kabul (UTC+04:30) (30 mins left)" in page


def test_the_navigation_counts_the_offers_waiting(app, browser, pool):
    book(app, "jelena@mup.rs.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    page = browser.get("/jobs").get_data(as_text=True)
    assert '<span class="nav-count">1<span class="visually-hidden"> waiting</span>' in page


def test_in_summer_the_same_offer_shows_1130_in_kabul(app, browser, pool, clock):
    clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    book(app, "jelena@mup.rs.example", start_local="2026-06-02T09:00")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    page = browser.get("/offers").get_data(as_text=True)
    assert "Tue, 2 Jun, 11:30\u201313:30 Kabul (UTC+04:30)" in page
    assert "Tue, 2 Jun, 09:00\u201311:00 Belgrade (UTC+02:00)" in page


def test_accepting_from_the_page_moves_the_job_to_jobs(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    offer_id = offer_id_for(app, booking_id, "mariam@pool.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit("/offers", {}, post_to=f"/offers/{offer_id}/accept")
    assert response.status_code == 302 and response.headers["Location"].endswith("/jobs")
    jobs = browser.get("/jobs").get_data(as_text=True)
    code = code_of(app, booking_id)
    assert f"The job is yours ({code})" in jobs
    assert f'id="job-{code}"' in jobs and "12:30\u201314:30 Kabul (UTC+04:30)" in jobs
    assert "RS-2026-01-13T09:00" in jobs and "Second interview; short sentences help." in jobs  # hers now
    assert "No offers waiting" in browser.get("/offers").get_data(as_text=True)


def test_a_second_interpreter_accepting_the_same_job_is_told_clearly(app, browser, another_browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    another_browser.sign_in("omid@pool.example", factories.PASSWORD)
    another_browser.get("/offers")  # Omid has the page open with the offer on it...
    browser.submit("/offers", {}, post_to=f"/offers/{offer_id_for(app, booking_id, 'mariam@pool.example')}/accept")
    late = another_browser.client.post(  # ...and presses Accept after Mariam did
        f"/offers/{offer_id_for(app, booking_id, 'omid@pool.example')}/accept",
        data={"csrf_token": another_browser.last_token},
        follow_redirects=True,
    )
    assert late.status_code == 200
    page = late.get_data(as_text=True)
    assert '<p class="flash flash-error">Another interpreter accepted this job first.</p>' in page
    assert "No offers waiting" in page


def test_an_offer_that_overlaps_a_job_just_accepted_says_so(app, browser, pool):
    first = book(app, "jelena@mup.rs.example")
    second = book(app, "jelena@mup.rs.example", start_local="2026-01-13T10:00", minutes=60)
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    browser.submit("/offers", {}, post_to=f"/offers/{offer_id_for(app, first, 'mariam@pool.example')}/accept")
    page = browser.get("/offers").get_data(as_text=True)
    assert f"This overlaps your job {code_of(app, first)}" in page
    assert f"/offers/{offer_id_for(app, second, 'mariam@pool.example')}/accept" in page


def test_declining_without_a_reason_shows_the_field_error_with_422(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    offer_id = offer_id_for(app, booking_id, "mariam@pool.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit("/offers", {"reason": "  "}, post_to=f"/offers/{offer_id}/decline")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="decline-{offer_id}-reason-error"' in page
    assert "Say briefly why, so the coordinators can plan." in page
    assert '<details class="decline" open>' in page
    assert offer_id_for(app, booking_id, "mariam@pool.example") == offer_id  # still open
    assert f"/offers/{offer_id}/accept" in page


def test_declining_with_a_reason_removes_the_offer(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    offer_id = offer_id_for(app, booking_id, "mariam@pool.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit(
        "/offers", {"reason": "Another appointment"}, post_to=f"/offers/{offer_id}/decline", follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You declined the job" in page and "No offers waiting" in page
    with app.app_context():
        assert db.session.get(Offer, offer_id).decline_reason == "Another appointment"


def test_a_relay_interpreter_sees_the_pair_of_her_leg(app, browser):
    with setting_up(app):
        factories.user(Role.CASEWORKER, email="ana@mvr.mk.example", department=factories.department("MK"))
        factories.interpreter(email="zarghuna@pool.example", pairs=(("pus", "eng"),), accredited_for=("MK",))
        factories.interpreter(email="petar@pool.example", pairs=(("eng", "mkd"),), accredited_for=("MK",))
    book(app, "ana@mvr.mk.example", officer_language="mkd", start_local="2026-01-13T10:00")
    browser.sign_in("petar@pool.example", factories.PASSWORD)
    page = browser.get("/offers").get_data(as_text=True)
    assert "English ⇄ Macedonian" in page
    assert "you interpret the officer&#39;s side" in page
    assert "Pashto ⇄" not in page


def test_an_offer_from_kosovo_carries_the_footnote(app, browser):
    with setting_up(app):
        factories.user(Role.CASEWORKER, email="arta@asylum.xk.example", department=factories.department("XK"))
        factories.interpreter(email="mariam@pool.example", pairs=(("pus", "sqi"),), accredited_for=("XK",))
    book(app, "arta@asylum.xk.example", officer_language="sqi")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    page = browser.get("/offers").get_data(as_text=True)
    assert "Kosovo*" in page
    assert "in line with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence" in page


@pytest.mark.parametrize("path", ["/offers", "/jobs", "/availability"])
def test_a_caseworker_gets_403_on_the_interpreter_pages(app, browser, pool, path):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = browser.client.get(path)
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(app, browser):
    response = browser.client.get("/offers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_interpreters_offer_is_404(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    omids = offer_id_for(app, booking_id, "omid@pool.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    assert browser.submit("/offers", {}, post_to=f"/offers/{omids}/accept").status_code == 404
    assert browser.submit("/offers", {"reason": "busy"}, post_to=f"/offers/{omids}/decline").status_code == 404
    assert browser.submit("/offers", {}, post_to="/offers/999999/accept").status_code == 404


def test_a_post_without_the_csrf_token_is_refused_with_400(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    offer_id = offer_id_for(app, booking_id, "mariam@pool.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    assert browser.client.post(f"/offers/{offer_id}/accept").status_code == 400
    assert browser.client.post("/availability", data=week_form(mon="09:00-12:00")).status_code == 400
    assert offer_id_for(app, booking_id, "mariam@pool.example") == offer_id
    with app.app_context():
        assert db.session.get(Offer, offer_id).state.value == "pending"
    assert windows_of(app, pool["mariam"])[0] == (0, 540, 1020)


# Jobs


def test_jobs_lists_upcoming_and_recent_past_jobs(app, browser, pool, clock):
    first = book(app, "jelena@mup.rs.example")
    second = book(app, "jelena@mup.rs.example", start_local="2026-01-14T09:00", minutes=60)
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    for booking_id in (first, second):
        browser.submit("/offers", {}, post_to=f"/offers/{offer_id_for(app, booking_id, 'mariam@pool.example')}/accept")
    clock.set(datetime(2026, 1, 13, 12, 0, tzinfo=UTC))  # the first session is over
    browser.sign_in("mariam@pool.example", factories.PASSWORD)  # a day later: signed in again
    page = browser.get("/jobs").get_data(as_text=True)
    upcoming, _, past = page.partition("Recent jobs")
    assert f'id="job-{code_of(app, second)}"' in upcoming and code_of(app, first) not in upcoming
    assert f'href="/calls/{second}"' in upcoming  # where she joins the call
    assert f"<code>{code_of(app, first)}</code>" in past


# Availability


def test_the_availability_page_names_the_zone_and_shows_the_week(app, browser, pool):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.get("/availability")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kabul (UTC+04:30)" in page
    assert 'name="mon"' in page and 'value="09:00-17:00"' in page
    assert '<label for="sat">Saturday</label>' in page


def test_saving_two_windows_for_monday_stores_them_in_minutes(app, browser, pool):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit("/availability", week_form(mon="09:00-13:00, 14:00-18:00"), follow_redirects=True)
    assert response.status_code == 200
    assert "Your weekly availability is saved" in response.get_data(as_text=True)
    assert windows_of(app, pool["mariam"]) == [(0, 540, 780), (0, 840, 1080)]
    assert 'value="09:00-13:00, 14:00-18:00"' in response.get_data(as_text=True)


def test_a_window_ending_before_it_starts_is_refused_naming_the_day(app, browser, pool):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit("/availability", week_form(mon="18:00-09:00", tue="09:00-17:00"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="field-error" id="mon-error">18:00-09:00 does not end after it starts.' in page
    assert 'id="tue-error"' not in page
    assert 'value="18:00-09:00"' in page  # what she typed stays in the field
    assert len(windows_of(app, pool["mariam"])) == 5


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("09:00-13:00, 12:00-18:00", "overlap"),
        ("9 to 5", "is not a window"),
        ("09:00-25:00", "times run from 00:00 to 24:00"),
        ("08:00-09:00, 10:00-11:00, 12:00-13:00, 14:00-15:00", "at most 3"),
    ],
)
def test_bad_windows_are_refused_and_nothing_is_written(app, browser, pool, typed, problem):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit("/availability", week_form(mon="07:00-11:00", wed=typed))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="wed-error"' in page and problem in page
    assert windows_of(app, pool["mariam"]) == [(day, 540, 1020) for day in range(5)]


def test_24_00_ends_a_window_at_midnight(app, browser, pool):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    browser.submit("/availability", week_form(fri="18:00-24:00", sat="00:00-06:00"))
    assert windows_of(app, pool["mariam"]) == [(4, 1080, 1440), (5, 0, 360)]


def test_a_confirmed_job_outside_the_new_hours_is_listed_as_a_warning(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")  # Tuesday 12:30-14:30 Kabul
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    browser.submit("/offers", {}, post_to=f"/offers/{offer_id_for(app, booking_id, 'mariam@pool.example')}/accept")
    assert "Confirmed jobs that no longer fit" not in browser.get("/availability").get_data(as_text=True)
    response = browser.submit("/availability", week_form(tue="08:00-12:00"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Confirmed jobs that no longer fit" in page
    assert f"<code>{code_of(app, booking_id)}</code>" in page and "outside your weekly hours" in page
    jobs = browser.get("/jobs").get_data(as_text=True)
    assert "outside your weekly hours" in jobs  # the job itself is kept and marked
    with app.app_context():
        assert db.session.get(Booking, booking_id).state.value == "confirmed"


def test_time_off_entered_in_kabul_is_stored_as_the_utc_instant(app, browser, pool):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit(
        "/availability",
        {"starts_local": "2026-02-01T09:00", "ends_local": "2026-02-06T18:00", "reason": "Family visit"},
        post_to="/availability/time-off",
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your time off is saved" in page
    assert "Sun, 1 Feb, 09:00\u2009\u2013\u2009Fri, 6 Feb, 18:00 Kabul (UTC+04:30)" in page
    with app.app_context():
        [record] = db.session.scalars(select(TimeOff).where(TimeOff.interpreter_id == pool["mariam"])).all()
        assert record.starts_at == datetime(2026, 2, 1, 4, 30, tzinfo=UTC)
        assert record.ends_at == datetime(2026, 2, 6, 13, 30, tzinfo=UTC)
        assert record.reason == "Family visit"


def test_time_off_at_a_belgrade_time_that_does_not_exist_is_refused(app, browser):
    with setting_up(app):
        factories.interpreter(zone="Europe/Belgrade", email="milan@pool.example")
    browser.sign_in("milan@pool.example", factories.PASSWORD)
    response = browser.submit(
        "/availability",
        {"starts_local": "2026-03-29T02:30", "ends_local": "2026-03-29T12:00"},
        post_to="/availability/time-off",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="starts_local-error"' in page and "2026-03-29 02:30 does not exist there" in page
    assert 'value="2026-03-29T02:30"' in page
    with app.app_context():
        assert db.session.scalars(select(TimeOff)).all() == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"starts_local": "", "ends_local": "2026-02-02T09:00"}, "starts_local", "Enter when your time off starts."),
        ({"starts_local": "tomorrow", "ends_local": "2026-02-02T09:00"}, "starts_local", "Enter a date and time like"),
        ({"starts_local": "2026-02-02T09:00", "ends_local": "2026-02-01T09:00"}, "ends_local", "must come after"),
        ({"starts_local": "2026-01-05T09:00", "ends_local": "2026-01-06T09:00"}, "ends_local", "already over"),
        (  # Kabul's zone moved it before year 1: a 500
            {"starts_local": "0001-01-01T00:10", "ends_local": "2026-02-02T09:00"},
            "starts_local",
            "Give a date and time from 2000 to 2099",
        ),
        ({"starts_local": "2026-02-01T09:00", "ends_local": "9999-12-31T23:50"}, "ends_local", "from 2000 to 2099"),
        (
            {"starts_local": "2026-02-01T09:00", "ends_local": "2026-02-02T09:00", "reason": "x" * 201},
            "reason",
            "at most 200 characters",
        ),
    ],
)
def test_bad_time_off_is_refused_naming_the_field(app, browser, pool, data, field, message):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    response = browser.submit("/availability", data, post_to="/availability/time-off")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page


def test_an_interpreter_removes_her_time_off_but_not_anothers(app, browser, pool):
    with setting_up(app):
        mine = TimeOff(
            interpreter_id=pool["mariam"],
            starts_at=datetime(2026, 2, 1, 4, 30, tzinfo=UTC),
            ends_at=datetime(2026, 2, 2, 4, 30, tzinfo=UTC),
        )
        omids = TimeOff(
            interpreter_id=pool["omid"],
            starts_at=datetime(2026, 2, 1, 4, 30, tzinfo=UTC),
            ends_at=datetime(2026, 2, 2, 4, 30, tzinfo=UTC),
        )
        db.session.add_all([mine, omids])
        db.session.flush()
        mine_id, omids_id = mine.id, omids.id
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    refused = browser.submit("/availability", {}, post_to=f"/availability/time-off/{omids_id}/remove")
    assert refused.status_code == 404
    removed = browser.submit(
        "/availability", {}, post_to=f"/availability/time-off/{mine_id}/remove", follow_redirects=True
    )
    assert removed.status_code == 200 and "The time off is removed." in removed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TimeOff, mine_id) is None
        assert db.session.get(TimeOff, omids_id) is not None


def test_every_bad_entry_is_named_not_only_the_first(app, browser, pool):
    """Two unreadable pieces on Monday, two impossible windows on Tuesday and an overlap on
    Wednesday: each is named at once, and nothing is saved."""
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    week = week_form(mon="9-noon, 14-18, late", tue="18:00-09:00, 25:00-26:00", wed="09:00-13:00, 12:00-15:00")
    response = browser.submit("/availability", week)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“9-noon”, “late” are not windows" in page
    assert "18:00-09:00 does not end after it starts." in page and "25:00-26:00: times run from 00:00 to 24:00." in page
    assert "09:00-13:00 and 12:00-15:00 overlap" in page
    assert len(windows_of(app, pool["mariam"])) == 5


def test_a_long_decline_reason_is_refused_by_name_never_cut_by_the_browser(app, browser, pool):
    booking_id = book(app, "jelena@mup.rs.example")
    offer_id = offer_id_for(app, booking_id, "mariam@pool.example")
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    form = browser.get("/offers").get_data(as_text=True)
    assert f'id="decline-{offer_id}-reason"' in form and "maxlength" not in form  # pasted text is not cut
    assert "At most 500 characters." in form
    response = browser.submit("/offers", {"reason": "Busy. " * 100}, post_to=f"/offers/{offer_id}/decline")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="decline-{offer_id}-reason-error">Use at most 500 characters.' in page
    assert offer_id_for(app, booking_id, "mariam@pool.example") == offer_id  # still open


def test_weekly_hours_typed_on_an_arabic_script_keyboard_are_read_like_latin_ones():
    from rris.offers.web.interpreter_forms import parse_day

    assert parse_day("09:00-13:00، 14:00-18:00") == parse_day("09:00-13:00, 14:00-18:00") == [(540, 780), (840, 1080)]
    assert parse_day("09:00-13:00؛14:00-18:00") == [(540, 780), (840, 1080)]
