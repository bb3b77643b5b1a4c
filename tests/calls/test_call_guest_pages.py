"""On the session page an officer joins the call and invites a legal adviser or guardian; the
link is shown once and can be withdrawn. Others see no such panel."""

from __future__ import annotations

import re
from datetime import timedelta

from tests import factories
from tests.support.call_bookings import OPEN

START = OPEN + timedelta(minutes=15)


def test_an_officer_invites_a_guest_sees_the_link_once_and_can_withdraw_it(browser, booked):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    page = browser.get(f"/bookings/{booked}").get_data(as_text=True)
    assert "Join the call" in page and f"/calls/{booked}" in page
    response = browser.submit(
        f"/bookings/{booked}",
        {"kind": "legal_adviser", "display_name": "Adv. Ana Petrović"},
        post_to=f"/bookings/{booked}/guests",
    )
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    [link] = re.findall(r'value="(https://rris.test/calls/guest/[^"]+)"', page)
    assert "Adv. Ana Petrović" in page and "Legal adviser" in page
    again = browser.get(f"/bookings/{booked}").get_data(as_text=True)
    assert link not in again  # shown once: only a digest is kept
    [withdraw] = re.findall(rf'action="(/bookings/{booked}/guests/\d+/withdraw)"', again)
    response = browser.submit(f"/bookings/{booked}", {}, post_to=withdraw)
    assert response.status_code == 302
    assert "Adv. Ana Petrović" not in browser.get(f"/bookings/{booked}").get_data(as_text=True)


def test_a_guest_without_a_name_gets_the_field_named(browser, booked):
    browser.sign_in("jelena@mup.rs.example", factories.PASSWORD)
    response = browser.submit(
        f"/bookings/{booked}", {"kind": "guardian", "display_name": ""}, post_to=f"/bookings/{booked}/guests"
    )
    assert response.status_code == 422
    assert 'id="display_name-error"' in response.get_data(as_text=True)


def test_interpreters_see_no_guest_panel_and_cannot_invite(browser, booked):
    browser.sign_in("mariam@pool.example", factories.PASSWORD)
    page = browser.get(f"/bookings/{booked}")
    if page.status_code == 200:
        assert "Invite to the call" not in page.get_data(as_text=True)
    invite = {"kind": "guardian", "display_name": "X"}
    response = browser.submit("/profile", invite, post_to=f"/bookings/{booked}/guests")
    assert response.status_code in (403, 404)
