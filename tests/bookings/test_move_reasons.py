"""Why a booking moved reaches everyone in their own language: the reason chosen from the list
is translated for each reader, the mover's own words are shown as written, quoted and
introduced in the reader's language by who gave them. The API takes the same code and text
(both optional; "other" needs words) and documents them."""

from __future__ import annotations

import html
import re

from rris.bookings.models.bookings import Booking
from rris.enums import MoveReason, Role
from rris.extensions import db
from rris.notifications.services import outbox
from tests import factories
from tests.api.test_bookings_api import token_for
from tests.common.test_request_shapes import api_reasons, field_error
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import confirmed
from tests.support.letterhead import letterhead
from tests.translations.catalogues import catalogue

THEIR_WORDS = "Podnosilac zahteva je u bolnici do petka."
REASON = "Reason for the move: %(reason)s"
ILL = "The applicant is ill"
GIVEN_BY_CASEWORKER = "Reason given by the caseworker: “%(text)s”"


def said(locale: str, english: str) -> str:
    return str(catalogue(locale)[english].string)


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def a_confirmed_booking(app, clock):
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", locale="sr_Latn")
        factories.user(Role.COORDINATOR, email="hub@marri.example", locale="en")
        aylin = factories.interpreter(pairs=(("pus", "srp"),), email="aylin@i.example", name="Aylin D.", locale="tr")
        booking = confirmed(jelena, aylin)
        outbox.dispatch_due(clock, letterhead())
        return booking.id


def test_the_reason_is_translated_for_each_reader_and_the_movers_words_are_quoted_as_written(
    app, clock, browser, another_browser, mailbox
):
    booking_id = a_confirmed_booking(app, clock)
    mailbox.clear()
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    location = f"/bookings/{booking_id}"
    move = {"start_local": "2026-01-15T10:00", "reason": "applicant_ill", "reason_text": f"  {THEIR_WORDS} "}
    assert browser.submit(location, move, post_to=f"{location}/reschedule").status_code == 302
    with app.app_context():
        stored = db.session.get(Booking, booking_id)
        assert (stored.move_reason, stored.move_note) == (MoveReason.APPLICANT_ILL, THEIR_WORDS)

    with app.app_context(), app.test_request_context():
        outbox.dispatch_due(clock, letterhead())
    released = body(next(m for m in mailbox.wait_for(2) if m["To"] == "aylin@i.example"))
    assert said("tr", REASON) % {"reason": said("tr", ILL)} in released  # the list's reason, in Turkish
    assert said("tr", GIVEN_BY_CASEWORKER) % {"text": THEIR_WORDS} in released  # her words, as she wrote them
    assert ILL not in released

    another_browser.sign_in("hub@marri.example", PASSWORD)
    page = html.unescape(another_browser.get(location).get_data(as_text=True))
    assert "Reason for the move: The applicant is ill" in page
    assert f"Reason given by the caseworker: “{THEIR_WORDS}”" in page
    own = html.unescape(browser.get(location).get_data(as_text=True))
    assert said("sr_Latn", REASON) % {"reason": said("sr_Latn", ILL)} in own


def test_another_reason_needs_words_and_the_choice_must_be_from_the_list(app, clock, browser):
    booking_id = a_confirmed_booking(app, clock)
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    location = f"/bookings/{booking_id}"
    refused = browser.submit(
        location,
        {"start_local": "2026-01-15T10:00", "reason": "other", "reason_text": " "},
        post_to=f"{location}/reschedule",
    )
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "reason_text") == said(
        "sr_Latn", "Say in a few words why the booking moves."
    )
    with app.app_context():
        assert db.session.get(Booking, booking_id).move_reason is None  # nothing half-written

    client, headers = app.test_client(), token_for(app, "jelena@mup.rs.example")
    to = f"/api/v1/bookings/{booking_id}/reschedule"
    bogus = client.post(to, json={"start_local": "2026-01-15T10:00", "reason": "weather"}, headers=headers)
    assert "reason" in api_reasons(bogus)
    bare = client.post(to, json={"start_local": "2026-01-15T10:00"}, headers=headers)  # as before: no reason
    assert bare.status_code == 200, bare.get_data(as_text=True)
    coded = client.post(to, json={"start_local": "2026-01-15T11:00", "reason": "room_or_equipment"}, headers=headers)
    assert coded.status_code == 200
    with app.app_context():
        assert db.session.get(Booking, booking_id).move_reason is MoveReason.ROOM_OR_EQUIPMENT


def test_the_openapi_document_describes_the_reason_and_its_text(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    schema = schemas["Reschedule"]["properties"]
    assert {"$ref": "#/components/schemas/MoveReason"} in schema["reason"]["anyOf"]
    assert schemas["MoveReason"]["enum"] == ["applicant_ill", "officer_unavailable", "room_or_equipment", "other"]
    assert "reason_text" in schema["reason"]["description"]
    assert "never translated" in schema["reason_text"]["description"]


def test_the_move_and_the_cancellation_each_have_their_own_reason_field(app, clock, browser):
    booking_id = a_confirmed_booking(app, clock)
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    page = browser.get(f"/bookings/{booking_id}").get_data(as_text=True)
    labelled = re.findall(r'<label for="([^"]+)"', page)
    assert [name for name in labelled if page.count(f' id="{name}"') != 1] == []  # each label finds its own field
    assert '<label for="move_reason">' in page and 'id="move_reason" name="reason"' in page  # posted as before
    assert '<label for="reason">' in page and 'id="reason" name="reason"' in page  # the cancellation's
