"""The officer opens the applicant's notice from the booking, shows it in the applicant's language
(the English beside it for themselves) and marks it given: one line in the booking's history that
says which text, when and by whom, and nothing about the applicant."""

from __future__ import annotations

import html
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from rris.bookings.models.bookings import Booking, BookingEvent
from rris.enums import BookingState, Role
from rris.extensions import db
from tests import factories
from tests.conftest import committed
from tests.support.web_fixtures import START

NOTICE_TAGS = {
    "pus": ("ps", "rtl"), "prs": ("fa-AF", "rtl"), "pes": ("fa", "rtl"), "arb": ("ar", "rtl"),
    "urd": ("ur", "rtl"), "ckb": ("ckb", "rtl"), "kmr": ("kmr", "ltr"), "tir": ("ti", "ltr"),
    "som": ("so", "ltr"), "ben": ("bn", "ltr"), "fra": ("fr", "ltr"), "eng": ("en", "ltr"),
}  # fmt: skip


class _Attributes(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id, self.found = element_id, None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id") == self.element_id:
            self.found = attributes


def attributes_of(page: str, element_id: str) -> dict[str, str | None] | None:
    """The attributes of the element with `element_id` on `page`, or None when there is none."""
    reader = _Attributes(element_id)
    reader.feed(page)
    return reader.found


def notice_url(booking_id: int) -> str:
    return f"/bookings/{booking_id}/notice"


def mark_given(browser, booking_id: int):
    return browser.submit(notice_url(booking_id), {}, post_to=f"{notice_url(booking_id)}/given")


def notice_events(app, booking_id: int) -> list[BookingEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(BookingEvent).where(BookingEvent.booking_id == booking_id, BookingEvent.action == "notice_given")
            )
        )


@pytest.fixture
def in_language(app, booked):
    """Make the confirmed booking's applicant speak `language` instead of Pashto."""

    def change(language: str) -> int:
        with committed(app):
            db.session.get_one(Booking, booked).applicant_language = language
        return booked

    return change


@pytest.mark.parametrize("language", sorted(NOTICE_TAGS))
def test_the_notice_carries_its_languages_tag_and_direction(app, browser, in_language, language):
    booking_id = in_language(language)
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get(notice_url(booking_id)).get_data(as_text=True)
    tag, direction = NOTICE_TAGS[language]
    assert attributes_of(page, "applicant-notice") == {
        "class": "notice-text",
        "id": "applicant-notice",
        "lang": tag,
        "dir": direction,
    }
    assert attributes_of(page, "notice-fallback") is None


def test_a_pashto_notice_is_shown_right_to_left_with_the_english_beside_it_for_the_officer(app, browser, booked):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = browser.get(notice_url(booked))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert attributes_of(page, "applicant-notice")["dir"] == "rtl"
    assert "ستاسو د ژباړونکي په اړه معلومات" in page  # the Pashto title
    assert attributes_of(page, "officer-copy") is not None
    assert "Their only task is to say in your language what the officer says" in page
    assert "Not marked given yet." in page and "Mark the notice given" in page


def test_the_booking_page_and_the_officers_call_page_lead_to_the_notice(app, browser, booked, clock):
    clock.set(START)  # the call is open
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    assert f'href="{notice_url(booked)}"' in browser.get(f"/bookings/{booked}").get_data(as_text=True)
    call = browser.get(f"/calls/{booked}").get_data(as_text=True)
    assert f'href="{notice_url(booked)}"' in call


def test_a_language_without_a_notice_falls_back_to_english_with_a_message(app, browser, in_language):
    booking_id = in_language("tur")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get(notice_url(booking_id)).get_data(as_text=True)
    assert "RRIS has no notice in Turkish yet. The English text is shown instead" in page
    assert attributes_of(page, "applicant-notice")["lang"] == "en"
    assert "Information about your interpreter" in page
    # The officer reads English: the same text is not shown twice.
    assert attributes_of(page, "officer-copy") is None


def test_levantine_arabic_is_shown_the_standard_arabic_text_and_told_so(app, browser, in_language):
    booking_id = in_language("apc")
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get(notice_url(booking_id)).get_data(as_text=True)
    assert attributes_of(page, "applicant-notice")["lang"] == "ar"
    assert "the written language of speakers of" in page
    assert attributes_of(page, "notice-fallback") is None


def test_marking_given_writes_one_history_line_with_no_personal_data(app, browser, booked, clock):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = mark_given(browser, booked)
    assert response.status_code == 302 and response.headers["Location"].endswith(notice_url(booked))
    (event,) = notice_events(app, booked)
    with app.app_context():
        booking = db.session.get_one(Booking, booked)
        jelena = booking.created_by
        assert event.actor_id == jelena.id and event.at == clock.now()
        # Which text was read, and nothing else: no case reference, no applicant key, no free text.
        assert event.note == "pus"
        assert (event.from_state, event.to_state) == (None, None)
        assert booking.case_reference not in (event.note or "")
    page = browser.get(notice_url(booked)).get_data(as_text=True)
    assert "Recorded: the notice was given in Pashto." in page
    history = html.unescape(browser.get(f"/bookings/{booked}").get_data(as_text=True))
    assert "Applicant's notice given in Pashto" in history and "Jelena Marković" in history


def test_a_double_press_is_one_reading_and_a_later_reading_is_recorded_again(app, browser, booked, clock):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    mark_given(browser, booked)
    again = browser.client.get(mark_given(browser, booked).headers["Location"]).get_data(as_text=True)
    assert "Already recorded a moment ago" in again
    assert len(notice_events(app, booked)) == 1
    clock.advance(timedelta(minutes=40))  # the interview resumed with another reading
    mark_given(browser, booked)
    assert [event.at for event in notice_events(app, booked)] == [clock.now() - timedelta(minutes=40), clock.now()]


def test_an_interpreter_of_the_booking_can_neither_open_nor_mark_the_notice(app, browser, booked):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    assert browser.get(notice_url(booked)).status_code == 403
    refused = browser.submit("/", {}, post_to=f"{notice_url(booked)}/given")
    assert refused.status_code == 403
    assert notice_events(app, booked) == []


def test_another_countrys_caseworker_finds_no_such_notice(app, browser, booked):
    with committed(app):
        factories.caseworker("AL", email="arben@asylum.al.example")
    browser.sign_in("arben@asylum.al.example", factories.PASSWORD)
    assert browser.get(notice_url(booked)).status_code == 404
    assert browser.submit("/", {}, post_to=f"{notice_url(booked)}/given").status_code == 404
    assert notice_events(app, booked) == []


def test_serbias_focal_point_may_mark_it_for_a_serbian_booking(app, browser, booked):
    with committed(app):
        factories.user(Role.FOCAL_POINT, email="dragan@mup.rs.example", country=factories.country("RS"))
    browser.sign_in("dragan@mup.rs.example", factories.PASSWORD)
    assert mark_given(browser, booked).status_code == 302
    assert len(notice_events(app, booked)) == 1


def test_before_an_interpreter_is_confirmed_the_notice_is_shown_but_not_marked(app, browser, booked):
    with committed(app):
        db.session.get_one(Booking, booked).state = BookingState.OFFERED
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get(notice_url(booked)).get_data(as_text=True)
    assert "Mark the notice given" not in page
    assert "once an interpreter is confirmed" in page
    answer = browser.client.get(mark_given(browser, booked).headers["Location"]).get_data(as_text=True)
    assert "The notice is given once an interpreter is confirmed" in answer
    assert notice_events(app, booked) == []
