"""The booking page shows who was in the call, from when to when in the viewer's time, how well
connected, and the minutes delivered; the interpreter sees the same panel."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from rris.bookings.models.bookings import Assignment, Offer
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_quality import QualitySummary
from rris.calls.services import call_records
from rris.enums import BookingState, CallRole, OfferState, PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from tests import factories
from tests.conftest import committed

START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)  # 09:00 in Belgrade, 12:30 in Kabul


def minute(n: float) -> datetime:
    return START + timedelta(minutes=n)


def page_of(browser, booking_id) -> str:
    """The booking page with CLDR's narrow no-break spaces ("9:00\u202fAM") made plain."""
    return browser.client.get(f"/bookings/{booking_id}").get_data(as_text=True).replace("\u202f", " ")


@pytest.fixture
def booked(app):
    with committed(app):
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
        mariam = factories.interpreter(email="mariam@pool.example", pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
        booking = factories.booking(
            department=jelena.department, starts_at=START, state=BookingState.CONFIRMED, created_by=jelena
        )
        booking.assignments.append(
            Assignment(interpreter=mariam, busy_from=START, busy_until=minute(60), assigned_at=minute(-1440))
        )
        return {"booking": booking.id, "jelena": jelena.id, "mariam": mariam.user_id}


@pytest.fixture
def held(app, booked):
    """The call took place: the interpreter fell back to her phone after 10 minutes."""
    ids = booked
    with app.app_context():
        officer, interpreter = Participant.user(ids["jelena"]), Participant.user(ids["mariam"])
        call_records.record_join(
            ids["booking"], officer, CallRole.OFFICER, "Jelena Marković", "browser", "c-1", minute(0)
        )
        call_records.record_join(
            ids["booking"], interpreter, CallRole.INTERPRETER, "Mariam Ahmadzai", "browser", "c-2", minute(1)
        )
        poor = QualitySummary(40, 380.0, 900.0, 4.0, 30.0, 300.0, poor_samples=12)
        call_records.record_leave("c-2", minute(10), call_records.GONE, poor)
        call_records.record_join(
            ids["booking"], interpreter, CallRole.INTERPRETER, "Mariam Ahmadzai", "phone", "phone-1", minute(11)
        )
        call_records.record_leave("phone-1", minute(60), call_records.LEFT, None)
        good = QualitySummary(120, 45.2, 80.0, 0.24, 1.0, 950.0, poor_samples=0)
        call_records.record_leave("c-1", minute(60), call_records.LEFT, good)
    return ids


def test_the_caseworker_sees_who_was_present_for_how_long_and_the_delivered_minutes(browser, held):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = page_of(browser, held["booking"])
    assert "<h2>Call</h2>" in page
    assert "Delivered: 58 mins" in page and "officer and interpreter both present" in page  # 1-10 and 11-60
    assert "Jelena Marković" in page and "Mariam Ahmadzai" in page
    assert "telephone" in page and "browser" in page
    assert "<td>1 hr</td>" in page and "<td>9 mins</td>" in page and "<td>49 mins</td>" in page
    assert "connection lost" in page and "left the call" in page
    assert "good (RTT 45 ms, loss 0.2%)" in page
    assert "poor for 12 of 40 samples" in page and "not measured" in page
    assert "Wed, 14 Jan, 09:00\u201310:00 Belgrade (UTC+01:00)" in page  # the officer, her wall clock


def test_the_interpreter_sees_the_panel_in_her_own_time(browser, held):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    page = page_of(browser, held["booking"])
    assert "Delivered: 58 mins" in page
    assert "Wed, 14 Jan, 12:30\u201313:30 Kabul (UTC+04:30)" in page  # the officer, in Kabul time


def test_an_interpreter_whose_offer_expired_finds_neither_the_job_nor_its_call(app, browser, held):
    with committed(app):
        omid = factories.interpreter(email="omid@pool.example", pairs=(("pus", "srp"),), name="Omid Rahimi")
        db.session.add(
            Offer(
                booking_id=held["booking"],
                booking_version=1,
                leg=1,
                interpreter_id=omid.id,
                wave=1,
                rank=2,
                score=50,
                state=OfferState.EXPIRED,
                offered_at=minute(-2000),
                expires_at=minute(-1900),
            )
        )
    browser.sign_in("omid@pool.example", factories.PASSWORD)
    assert browser.client.get(f"/bookings/{held['booking']}").status_code == 404


def test_a_person_still_in_the_call_is_shown_so(app, browser, booked):
    with app.app_context():
        call_records.record_join(
            booked["booking"],
            Participant.user(booked["jelena"]),
            CallRole.OFFICER,
            "Jelena Marković",
            "browser",
            "c-1",
            START,
        )
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = page_of(browser, booked["booking"])
    assert "<h2>Call</h2>" in page and "still in the call" in page
    assert "Delivered:" not in page


def test_no_panel_before_anyone_joined(browser, booked):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = page_of(browser, booked["booking"])
    assert "<h2>Call</h2>" not in page


def test_the_session_page_lists_the_telephone_legs_by_the_last_digits_only(app, browser, booked):
    """No one joined by browser yet: the phone legs alone show the panel."""
    legs = (
        ("Mariam Ahmadzai (phone)", PhoneDirection.OUTBOUND, "4567", PhoneLegStatus.COMPLETED, 0, 421),
        ("Mariam Ahmadzai (phone)", PhoneDirection.OUTBOUND, "4567", PhoneLegStatus.NO_ANSWER, 10, 0),
        ("Caller ending 7654", PhoneDirection.INBOUND, "7654", PhoneLegStatus.IN_PROGRESS, 20, None),
    )
    with committed(app):
        for name, direction, tail, status, at, seconds in legs:
            db.session.add(
                PhoneLeg(
                    booking_id=booked["booking"],
                    participant="phone-user-1" if direction is PhoneDirection.OUTBOUND else "phone-dialin-1",
                    role=CallRole.INTERPRETER if direction is PhoneDirection.OUTBOUND else CallRole.GUEST,
                    display_name=name,
                    direction=direction,
                    number_tail=tail,
                    status=status,
                    requested_at=minute(at),
                    answered_at=minute(at) if seconds != 0 else None,
                    ended_at=minute(at + 7) if seconds is not None else None,
                    duration_seconds=seconds,
                    simulated=False,
                )
            )
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = page_of(browser, booked["booking"])
    assert "<h2>Call</h2>" in page and "<h3>Telephone</h3>" in page
    assert "Connected by telephone: 7 mins" in page
    rows = re.findall(r"<tr>(.*?)</tr>", page.split('id="phone-legs"')[1].split("<tbody>")[1], re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "|", row)).replace("| |", "|") for row in rows]
    assert "Mariam Ahmadzai (phone)" in cells[0] and "…4567" in cells[0] and "rung by RRIS" in cells[0]
    assert "ended" in cells[0] and "7 mins" in cells[0]
    assert "no answer" in cells[1] and "min" not in cells[1].split("no answer")[1]
    assert "Caller ending 7654" in cells[2] and "dialled in" in cells[2] and "on the phone" in cells[2]
