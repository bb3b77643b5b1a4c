"""The coordinators' desk: unfilled bookings first with the time left and why no one fits, the
scheduler's conflicts, and the calls going on now with who is in them and how."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_participants import Participant
from rris.calls.services.call_records import record_join, record_state
from rris.desk.services import desk as desk_service
from rris.desk.services.desk import desk
from rris.enums import BookingState, CallRole, Role
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall
from tests import factories
from tests.conftest import DEFAULT_NOW, committed
from tests.factories import PASSWORD
from tests.matching.test_conflict_pages import conflicted_booking
from tests.ondemand.support import PASHTO_SERBIAN, ask
from tests.support.sql_statements import executed_statements

SOON = datetime(2026, 1, 12, 14, 0, tzinfo=UTC)  # 18:30 in Kabul: after every interpreter's hours
TOMORROW = datetime(2026, 1, 13, 6, 0, tzinfo=UTC)  # 10:30 in Kabul


def desk_scene(app, clock) -> dict[str, int | str]:
    """A conflicted confirmed session (Jan 14) with both sides in its call, an offer nobody took
    for this afternoon and an unfilled booking tomorrow morning."""
    conflicted_id = conflicted_booking(app, clock)
    with committed(app):
        soon = factories.booking(starts_at=SOON, state=BookingState.OFFERED)
        tomorrow = factories.booking(starts_at=TOMORROW, state=BookingState.UNFILLED)
        jelena = db.session.scalar(select(User).where(User.email == "jelena@mup.rs.example"))
        mariam = db.session.scalar(select(User).where(User.email == "mariam@i.example"))
        scene = {"conflicted": conflicted_id, "soon": soon.code, "tomorrow": tomorrow.code}
        scene.update(jelena=jelena.id, mariam=mariam.id)
    with app.app_context():
        record_join(
            conflicted_id, Participant.user(scene["jelena"]), CallRole.OFFICER, "Jelena", "browser", "c-1", DEFAULT_NOW
        )
        record_join(
            conflicted_id,
            Participant.user(scene["mariam"]),
            CallRole.INTERPRETER,
            "Mariam A. (phone)",
            "phone",
            "c-2",
            DEFAULT_NOW,
        )
        record_state("c-1", f"user-{scene['mariam']}", "connected", DEFAULT_NOW)
        record_state("c-2", f"user-{scene['jelena']}", "reconnecting", DEFAULT_NOW + timedelta(seconds=5))
    return scene


def test_a_coordinator_sees_unfilled_bookings_first_then_conflicts_then_live_calls(app, clock, browser):
    scene = desk_scene(app, clock)
    browser.sign_in("hub@marri.example", PASSWORD)
    response = browser.get("/desk")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    unfilled, conflicts, calls = (page.index(title) for title in ("Without an interpreter", "Conflicts", "Calls in"))
    assert unfilled < page.index(scene["soon"]) < page.index(scene["tomorrow"]) < conflicts < calls
    assert "6 hrs" in page and "at risk" in page  # the offer nobody took starts this afternoon
    assert "2 × outside availability" in page  # both pus–srp interpreters are off duty at 18:30 Kabul
    assert "Assign by hand" in page and f"/bookings/{scene['conflicted']}" in page
    assert "Mariam A.</strong>:" in page  # the conflict, with the scheduler's explanation
    assert "both joined" in page and "on telephone" in page
    assert "(phone, <span" in page and "reconnecting" in page
    assert 'data-live="30"' in page and ">Desk</a>" in page


def test_the_desk_names_the_best_candidates_and_leaves_out_what_is_filled_or_past(app, clock):
    scene = desk_scene(app, clock)
    with app.app_context():
        board = desk(clock.now())
        codes = [item.booking.code for item in board.unfilled]
        assert codes == [scene["soon"], scene["tomorrow"]]
        soon, tomorrow = board.unfilled
        assert soon.at_risk and soon.time_left == timedelta(hours=6)
        assert not tomorrow.at_risk  # unfilled, but not an offer waiting for an answer
        [outlook] = tomorrow.legs
        assert {match.name for match in outlook.top} == {"Mariam A.", "Farid K."}
        assert [conflict.booking_id for conflict in board.conflicts] == [scene["conflicted"]]
        [call] = board.calls
        assert call.both_joined and call.on_phone
        assert [person.state for person in call.side(CallRole.INTERPRETER)] == ["reconnecting"]

        clock.set(TOMORROW + timedelta(hours=2))  # tomorrow's session is over
        assert [item.booking.code for item in desk(clock.now()).unfilled] == []
        assert db.session.get(Booking, scene["conflicted"]).state is BookingState.CONFIRMED


def test_people_who_do_not_manage_the_pool_get_no_desk(app, clock, browser):
    conflicted_booking(app, clock)
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    assert browser.get("/desk").status_code == 403
    assert ">Desk</a>" not in browser.get("/").get_data(as_text=True)


def test_on_demand_requests_waiting_are_counted_per_pair_apart_from_what_needs_a_coordinator(app, clock, browser):
    with app.test_request_context():
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        officer = actor_of(factories.caseworker("RS"))
        db.session.commit()
        first = ask(officer, DEFAULT_NOW - timedelta(seconds=200), PASHTO_SERBIAN, wait=True)
        ask(officer, DEFAULT_NOW - timedelta(seconds=40), replace(PASHTO_SERBIAN, case_reference="RS-NOW-2"), wait=True)
        code = db.session.get_one(OnDemandCall, first.call_id).booking.code
    browser.sign_in("hub@marri.example", PASSWORD)
    page = browser.get("/desk").get_data(as_text=True)
    waiting = page.split('id="on-demand"')[1].split("</section>")[0]
    assert '<span class="nav-count">2</span>' in waiting
    assert "Pashto – Serbian" in waiting and "<td>2</td>" in waiting and "<strong>3 mins</strong>" in waiting
    assert "nobody assigns them by hand" in waiting
    assert code not in page  # not among the bookings to fill by hand
    assert "Every booking in this window has its interpreter." in page

    with app.app_context():
        assert desk(DEFAULT_NOW).on_demand[0].requests == 2


def test_the_unfilled_bookings_come_a_page_at_a_time_soonest_first_and_all_counted(app, clock, browser, monkeypatch):
    monkeypatch.setattr(desk_service, "UNFILLED_PAGE_ROWS", 2)
    with committed(app):
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        codes = [
            factories.booking(starts_at=TOMORROW + timedelta(hours=hours), state=BookingState.UNFILLED).code
            for hours in (3, 1, 2, 0, 4)
        ]
    soonest_first = [codes[3], codes[1], codes[2], codes[0], codes[4]]
    browser.sign_in("hub@marri.example", PASSWORD)

    first = browser.get("/desk").get_data(as_text=True)
    assert [code for code in soonest_first if code in first] == soonest_first[:2]
    assert '<span class="nav-count">5</span>' in first and "Page 1 of 3" in first
    assert 'href="/desk?page=2#unfilled" rel="next"' in first

    last = browser.get("/desk?page=3").get_data(as_text=True)
    assert [code for code in soonest_first if code in last] == soonest_first[4:]
    assert 'href="/desk?page=2#unfilled" rel="prev"' in last and 'rel="next"' not in last


def test_the_desk_reads_the_pool_once_however_many_bookings_it_explains(app, clock, browser):
    with committed(app):
        factories.user(Role.COORDINATOR, email="hub@marri.example")
        codes = [factories.booking(starts_at=TOMORROW, state=BookingState.UNFILLED).code]
    browser.sign_in("hub@marri.example", PASSWORD)
    browser.get("/desk")  # the statements built once per process are built
    with app.app_context(), executed_statements() as for_one:
        page = browser.get("/desk").get_data(as_text=True)
    assert all(code in page for code in codes)
    with committed(app):
        for hours, (applicant, officer) in enumerate((("prs", "srp"), ("pus", "mkd"), ("ara", "srp"))):
            codes.append(
                factories.booking(
                    starts_at=TOMORROW + timedelta(hours=hours + 1),
                    state=BookingState.UNFILLED,
                    applicant_language=applicant,
                    officer_language=officer,
                    relay=hours == 1,
                ).code
            )
    browser.get("/desk")
    with app.app_context(), executed_statements() as for_four:
        page = browser.get("/desk").get_data(as_text=True)
    assert all(code in page for code in codes)  # four bookings, five legs
    assert len(for_four) == len(for_one), for_four
