"""A caseworker books through the form; coordinators see who fits and why not, and assign."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rris.bookings.models.bookings import Booking
from rris.enums import Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed

FORM = {
    "applicant_language": "pus",
    "officer_language": "srp",
    "session_kind": "asylum_interview",
    "start_local": "2026-01-13T09:00",
    "duration_minutes": "120",
    "modality": "video",
    "case_reference": "RS-2026-0042",
    "gender_rule": "none",
    "notes": "Second interview.",
}


@pytest.fixture
def people(app):
    with committed(app):
        belgrade = factories.department("RS", "Asylum Office Belgrade")
        factories.user(Role.CASEWORKER, email="jelena@mup.rs.example", department=belgrade, name="Jelena Marković")
        factories.caseworker("AL", email="arben@asylum.al.example")
        factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        factories.interpreter(
            email="gul@pool.example", pairs=(("pus", "srp"),), accredited_for=("AL",), name="Gul Shinwari"
        )
        factories.user(Role.COORDINATOR, email="elena@marri.example", name="Elena Stojanovska")
        return {"department": belgrade.id}


def book(browser, people, **changes):
    data = {**FORM, "department_id": str(people["department"]), **changes}
    return browser.submit("/bookings/new", data)


def test_a_caseworker_books_through_the_form_and_sees_it_offered(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book(browser, people)
    assert response.status_code == 302
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Booked. 1 interpreter has been asked; the first to accept gets the job." in page  # Gul is not for Serbia
    assert "offered" in page and "RS-2026-0042" in page
    assert "Tuesday, 13 January 2026, 09:00 Belgrade (UTC+01:00)" in page
    listing = browser.client.get("/bookings").get_data(as_text=True)
    assert "RS-2026-0042" in listing


def test_a_start_in_the_past_is_refused_on_the_form_with_the_field_named(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book(browser, people, start_local="2026-01-01T09:00")
    assert response.status_code == 422
    assert "The start lies in the past." in response.get_data(as_text=True)


def test_a_skipped_local_time_is_refused_on_the_form(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book(browser, people, start_local="2026-03-29T02:30", duration_minutes="60")
    assert response.status_code == 422
    assert "does not exist in Europe/Belgrade" in response.get_data(as_text=True)


@pytest.mark.parametrize("start", ["0001-01-01T00:10", "9999-12-31T23:00", "9999-01-01T09:00"])
def test_a_start_outside_the_years_rris_takes_is_refused_next_to_the_field(app, browser, people, start):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = book(browser, people, start_local=start)  # Belgrade's zone overflowed (a 500), or 9999 was booked
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="start_local-error"' in page
    assert "Give the start as a date and time from 2000 to 2099, like 2026-03-02T09:00." in page
    with app.app_context():
        assert db.session.scalars(select(Booking)).all() == []


def test_another_countrys_caseworker_cannot_open_the_booking(app, browser, another_browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book(browser, people).headers["Location"]
    another_browser.sign_in("arben@asylum.al.example", factories.PASSWORD)
    assert another_browser.client.get(location).status_code == 404


def test_cancelling_from_the_page_needs_a_reason(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book(browser, people).headers["Location"]
    booking_id = location.rsplit("/", 1)[-1]
    empty = browser.submit(location, {"reason": ""}, post_to=f"/bookings/{booking_id}/cancel")
    assert empty.status_code == 422
    done = browser.submit(location, {"reason": "The applicant withdrew"}, post_to=f"/bookings/{booking_id}/cancel")
    assert done.status_code == 302
    assert "cancelled" in browser.client.get(location).get_data(as_text=True)


def test_a_coordinator_sees_why_someone_does_not_fit_and_can_assign_despite(app, browser, another_browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book(browser, people).headers["Location"]
    booking_id = location.rsplit("/", 1)[-1]
    another_browser.sign_in("elena@marri.example", factories.PASSWORD)
    page = another_browser.get(location).get_data(as_text=True)
    assert "Who fits, and why not" in page and "Mariam Ahmadzai" in page
    assert "Gul Shinwari" in page and "Not accredited" in page
    with app.app_context():
        from sqlalchemy import select

        from rris.accounts.models.accounts import User
        from rris.extensions import db
        from rris.pool.models.interpreters import InterpreterProfile

        gul = db.session.scalar(select(InterpreterProfile.id).join(User).where(User.email == "gul@pool.example"))
    warned = another_browser.submit(
        location, {"interpreter_id": gul, "leg": 1}, post_to=f"/bookings/{booking_id}/assign"
    )
    assert warned.status_code == 422 and "Not accredited" in warned.get_data(as_text=True)
    done = another_browser.submit(
        location, {"interpreter_id": gul, "leg": 1, "despite": "y"}, post_to=f"/bookings/{booking_id}/assign"
    )
    assert done.status_code == 302
    assert "confirmed" in another_browser.client.get(location).get_data(as_text=True)


def test_the_form_preview_works_with_the_session_and_its_csrf_token(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    browser.get("/bookings/new")
    body = {**{k: v for k, v in FORM.items() if k != "duration_minutes"}, "department_id": people["department"]}
    refused = browser.client.post("/api/v1/bookings/preview", json=body)
    assert refused.status_code == 400
    answered = browser.client.post("/api/v1/bookings/preview", json=body, headers={"X-CSRFToken": browser.last_token})
    assert answered.status_code == 200 and answered.get_json()["eligible_count"] == 1


def test_interpreters_cannot_book(app, browser, people):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    assert browser.client.get("/bookings/new").status_code == 403


def test_the_repeated_october_hour_is_asked_in_words_with_a_choice(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    asked = book(browser, people, start_local="2026-10-25T02:30", duration_minutes="60")
    assert asked.status_code == 422
    page = asked.get_data(as_text=True)
    assert "start_occurrence" not in page.replace('name="start_occurrence"', "").replace('id="start_occurrence', "")
    assert "so 02:30 happens twice: the first 02:30 (summer time, CEST) or the second 02:30 (winter time, CET)?" in page
    assert page.count('type="radio" name="start_occurrence"') + page.count('name="start_occurrence" type="radio"') == 2
    chosen = book(browser, people, start_local="2026-10-25T02:30", duration_minutes="60", start_occurrence="1")
    assert chosen.status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, int(chosen.headers["Location"].rsplit("/", 1)[-1]))
        assert booking.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second


def test_the_notes_are_never_cut_a_counter_shows_their_length_and_too_long_is_refused(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    form = browser.get("/bookings/new").get_data(as_text=True)
    notes = re.search(r"<textarea[^>]*>", form).group(0)
    assert "maxlength" not in notes  # a browser would cut pasted text without a word
    assert 'data-max-chars="1000"' in notes and 'id="notes-count"' in form
    too_long = book(browser, people, notes="x" * 1001)
    assert too_long.status_code == 422
    assert "Notes to the interpreter take at most 1000 characters; these have 1001." in too_long.get_data(as_text=True)
    assert browser.client.get("/bookings").get_data(as_text=True).count("RS-2026-0042") == 0
    exactly = book(browser, people, notes="y" * 1000)
    assert exactly.status_code == 302


def test_an_outcome_note_over_the_limit_is_refused_next_to_the_field_and_kept_for_editing(app, browser, booked, clock):
    from datetime import timedelta

    from tests.support.web_fixtures import START

    clock.set(START + timedelta(minutes=10))
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = f"/bookings/{booked}"
    long_note = "The applicant did not come; the reception centre says he moved on. " * 8
    refused = browser.submit(
        location, {"outcome": "mark_applicant_no_show", "note": long_note}, post_to=f"{location}/outcome"
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="note-error">(.*?)</p>', page, re.S)
    assert error and "A note takes at most 500 characters; this one has 535. Shorten it." in error.group(1)
    assert "he moved on. The applicant did not come" in page  # the text is there to shorten, not lost
    with app.app_context():
        assert db.session.get(Booking, booked).state.value == "confirmed"
    done = browser.submit(
        location, {"outcome": "mark_applicant_no_show", "note": "He moved on."}, post_to=f"{location}/outcome"
    )
    assert done.status_code == 302
    assert "He moved on." in browser.get(location).get_data(as_text=True)


def test_no_field_of_the_booking_form_lets_the_browser_cut_a_pasted_case_reference(app, browser, people):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    assert "maxlength" not in browser.get("/bookings/new").get_data(as_text=True)
    too_long = book(browser, people, case_reference="RS-2026-" + "0042" * 20)
    assert too_long.status_code == 422
    error = re.search(r'id="case_reference-error">(.*?)</p>', too_long.get_data(as_text=True), re.S)
    assert error and "Use at most 64 characters; this has 88." in error.group(1)


def test_the_coordinator_sees_the_left_out_grouped_by_reason_each_still_with_its_reasons(app, browser, people):
    """The pair's rejected interpreters come counted by their first reason, the first few named,
    the rest behind a disclosure that still names each with every reason; other pairs only counted."""
    with committed(app):
        for name in ("Zarmina Noori", "Bashir Safi", "Hamid Zaki", "Laila Rahmani", "Nadia Karimi"):
            factories.interpreter(
                email=f"{name.split()[0].lower()}@pool.example",
                pairs=(("pus", "srp"),),
                accredited_for=("AL",),
                name=name,
            )
        factories.interpreter(email="dari@pool.example", pairs=(("prs", "srp"),), name="Dari Only")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    location = book(browser, people).headers["Location"]
    browser.sign_in("elena@marri.example", factories.PASSWORD)
    page = browser.get(location).get_data(as_text=True)
    assert "Mariam Ahmadzai" in page  # the one who fits
    assert "6 interpreters left out: not accredited here" in page  # Gul and the five
    named, _, disclosed = page.partition("3 more, each with their reasons")
    for shown in ("Bashir Safi", "Gul Shinwari", "Hamid Zaki"):  # by name, each with its reason
        assert re.search(rf"{shown}</td><td>—</td>\s*<td class=\"small\">Not accredited", named)
    for behind in ("Laila Rahmani", "Nadia Karimi", "Zarmina Noori"):
        assert behind not in named
    for behind in ("Laila Rahmani", "Nadia Karimi", "Zarmina Noori"):
        assert re.search(rf"{behind}</td><td>—</td>\s*<td class=\"small\">Not accredited", disclosed)
    assert "1 other interpreter does not work in this pair." in page  # Dari Only, not named
    assert "Dari Only</td>" not in page
    assert '<option value="' in page and ">Dari Only</option>" in page  # still assignable by hand
