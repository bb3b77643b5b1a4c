"""Every message speaks its recipient's language with their formats, never its sender's: a
Pashto-speaking interpreter in Kabul reads her offer and invitation in Pashto, with Pashto digits
and Kabul's time, while the Serbian caseworker who booked reads Serbian; SMS too; a Montenegrin
officer reads Serbian Latin with Montenegro's formats. The composing context's own language (a
Turkish request here) never leaks into a message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from rris.context import current_clock
from rris.offers.services.offers import accept_offer
from tests import factories
from tests.notifications.test_channels import sms_folder  # noqa: F401 (a fixture)
from tests.notifications.test_outbox import book_now, dispatch
from tests.support.catalogues import only_these_translations

OFFER = "Job offer: %(what)s, %(when)s"
CONFIRMED = "Confirmed: %(what)s, %(when)s"
SUMMARY = "Interpretation: %(what)s (%(code)s)"
WHEN = "When: %(start)s"
REMINDER_SMS = "RRIS reminder: %(what)s at %(when)s."

SENTENCES = {
    "ps": {
        OFFER: "د دندې وړاندیز: %(what)s، %(when)s",
        CONFIRMED: "تایید شو: %(what)s، %(when)s",
        SUMMARY: "ژباړه: %(what)s (%(code)s)",
        WHEN: "کله: %(start)s",
    },
    "sr_Cyrl": {CONFIRMED: "Потврђено: %(what)s, %(when)s", SUMMARY: "Превођење: %(what)s (%(code)s)"},
    "sr_Latn": {CONFIRMED: "Potvrđeno: %(what)s, %(when)s", WHEN: "Kada: %(start)s"},
    "tr": {
        OFFER: "İş teklifi: %(what)s, %(when)s",
        CONFIRMED: "Onaylandı: %(what)s, %(when)s",
        REMINDER_SMS: "RRIS hatırlatması: %(what)s, %(when)s.",
    },
}


@pytest.fixture
def jelena(ctx):
    """A caseworker of Serbia's Asylum Office who has chosen no language."""
    return factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")


@pytest.fixture
def translated(app, tmp_path):
    with only_these_translations(app, tmp_path, SENTENCES):
        yield


@pytest.fixture
def in_turkish(app):
    """The dispatcher runs inside a Turkish request: none of it may reach a message."""
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        yield


def by_recipient(messages):
    return {message["To"]: message for message in messages}


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def the_event(message):
    """The invite's VEVENT, read back with icalendar as a calendar program reads it."""
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    return event


def test_a_pashto_interpreter_reads_her_offer_and_invite_in_pashto_and_the_caseworker_reads_serbian(
    jelena, clock, mailbox, translated, in_turkish
):
    mariam = factories.interpreter(
        pairs=(("pus", "srp"),), email="mariam@interpreters.example", name="Mariam Ahmadzai", locale="ps"
    )
    booking = book_now(jelena)  # Wednesday 14 January, 09:00 in Belgrade: 12:30 in Kabul
    dispatch(clock)
    offer = by_recipient(mailbox.wait_for(1))["mariam@interpreters.example"]
    assert offer["Subject"] == "د دندې وړاندیز: پښتو–سربيائي، څلرنۍ, جنوري ۱۴ ۱۲:۳۰ کابل (UTC+۰۴:۳۰)"
    assert "12:30" not in offer["Subject"]  # Pashto digits, not Latin ones
    assert offer["Content-Language"] == "ps"
    assert "کله: څلرنۍ, جنوري ۱۴ ۱۲:۳۰–۱۴:۳۰ کابل (UTC+۰۴:۳۰)" in body(offer)

    mailbox.clear()
    accept_offer(next(o for o in booking.offers if o.interpreter_id == mariam.id).id, mariam, current_clock().now())
    dispatch(clock)
    invitations = by_recipient(mailbox.wait_for(2))
    hers, his = invitations["mariam@interpreters.example"], invitations["jelena@mup.rs.example"]

    assert hers["Subject"].startswith("تایید شو: پښتو–سربيائي، ")
    event = the_event(hers)
    assert str(event["SUMMARY"]) == f"ژباړه: پښتو–سربيائي ({booking.code})"
    assert event["SUMMARY"].params["LANGUAGE"] == event["DESCRIPTION"].params["LANGUAGE"] == "ps"
    assert "کله: څلرنۍ, جنوري ۱۴ ۱۲:۳۰–۱۴:۳۰ کابل (UTC+۰۴:۳۰)" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == datetime(2026, 1, 14, 8, 0, tzinfo=UTC)
    assert str(event.decoded("DTSTART").tzinfo) == "Asia/Kabul"

    # Jelena chose no language: her office is Serbia's, so Serbian in Cyrillic, on Belgrade's clock.
    assert his["Subject"] == "Потврђено: паштунски–српски, сре 14. јан 09:00 Београд (UTC+01:00)"
    assert str(the_event(his)["SUMMARY"]) == f"Превођење: паштунски–српски ({booking.code})"
    assert his["Content-Language"] == "sr-Cyrl"
    assert "Onaylandı" not in hers["Subject"] + his["Subject"]  # not the dispatcher's Turkish


def test_an_interpreter_who_chose_no_language_reads_english_wherever_she_lives(
    jelena, clock, mailbox, translated, in_turkish
):
    factories.interpreter(pairs=(("pus", "srp"),), zone="Europe/Istanbul", email="zarghuna@interpreters.example")
    book_now(jelena)
    dispatch(clock)
    offer = by_recipient(mailbox.wait_for(1))["zarghuna@interpreters.example"]
    subject = offer["Subject"]
    assert subject.startswith("Job offer: Pashto–Serbian, Wed") and "11:00" in subject
    assert subject.endswith("Istanbul (UTC+03:00)")  # her own clock, named in English


def test_an_sms_reminder_reaches_a_turkish_reader_in_turkish(jelena, clock, sms_folder, translated):  # noqa: F811
    aylin = factories.interpreter(
        pairs=(("pus", "srp"),),
        zone="Europe/Istanbul",
        email="aylin@interpreters.example",
        locale="tr",
        phone="+905321234567",
        phone_verified_at=datetime(2025, 12, 1, tzinfo=UTC),
        sms_opt_in=True,
    )
    booking = book_now(jelena)
    accept_offer(next(o for o in booking.offers if o.interpreter_id == aylin.id).id, aylin, current_clock().now())
    dispatch(clock)
    before = set(sms_folder.glob("*.txt"))
    clock.set(booking.starts_at - timedelta(hours=24))
    dispatch(clock)
    [saved] = set(sms_folder.glob("*.txt")) - before
    assert "RRIS hatırlatması: Peştuca–Sırpça, 14 Oca Çar 11:00 İstanbul (UTC+03:00)." in saved.read_text("utf-8")


def test_a_montenegrin_officer_reads_serbian_latin_with_montenegro_s_formats(ctx, clock, mailbox, translated):
    officer = factories.caseworker("ME", email="milica@mup.gov.me.example")
    interpreter = factories.interpreter(pairs=(("pus", "srp"),), accredited_for=("ME",), on=date(2026, 3, 1))
    booking = book_now(officer, start_local="2026-03-16T09:00")  # a Monday in March, Podgorica
    accept_offer(next(o for o in booking.offers if o.interpreter_id == interpreter.id).id, interpreter, clock.now())
    mailbox.clear()
    dispatch(clock)
    message = by_recipient(mailbox.wait_for(2))["milica@mup.gov.me.example"]
    # Serbian Latin words; Montenegro's abbreviation of March ("mart"), where Serbia writes "mar".
    assert message["Subject"] == "Potvrđeno: paštunski–srpski, pon 16. mart 09:00 Podgorica (UTC+01:00)"
    assert "Kada: pon 16. mart 09:00–11:00 Podgorica (UTC+01:00)" in body(message)
