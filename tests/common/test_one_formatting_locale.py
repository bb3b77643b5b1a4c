"""One function decides the locale of dates, times, numbers and durations, for pages, messages
and the sentences services write: a Kosovo officer reading Albanian gets Kosovo's 24-hour clock
(sq_XK) on the booking page, in the call page's "opens at" and in her mail alike, where Albania's
Albanian would say "8:45 p.d.". Durations read one way everywhere (CLDR's units, days included)."""

from __future__ import annotations

import html
from datetime import timedelta

from flask_babel import force_locale
from flask_login import login_user

from rris.accounts.models.accounts import User
from rris.accounts.services.preferences import writing_to
from rris.common.domain import formats
from rris.common.services.wording import current_locale
from rris.common.web.page_locale import viewer_formatting_locale
from rris.common.web.presenting import viewer_locale
from rris.desk.web.desk import time_left
from rris.extensions import db
from rris.notifications.services import outbox
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import confirmed
from tests.support.letterhead import letterhead
from tests.translations.catalogues import catalogue


def test_a_kosovo_officer_reads_kosovos_clock_on_every_page_and_in_her_mail(app, clock, browser, mailbox):
    with committed(app), app.test_request_context():
        arta = factories.caseworker("XK", email="arta@mpb.rks.example", locale="sq")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), accredited_for=("XK",))
        booking = confirmed(arta, mariam)  # Wednesday 09:00 in Pristina; the call opens at 08:45
        outbox.dispatch_due(clock, letterhead())
        booking_id = booking.id
    mail = next(m for m in mailbox.wait_for(1) if m["To"] == "arta@mpb.rks.example")
    assert "09:00" in mail["Subject"] and "p.d." not in mail["Subject"]

    browser.sign_in("arta@mpb.rks.example", PASSWORD)
    page = html.unescape(browser.get(f"/bookings/{booking_id}").get_data(as_text=True))
    assert "09:00" in page and "9:00\u202fp.d." not in page
    call_page = html.unescape(browser.get(f"/calls/{booking_id}").get_data(as_text=True))
    opens = str(catalogue("sq")["The call opens at %(time)s."].string).split("%(time)s")[0]
    assert opens + "08:45" in call_page  # a service's sentence, formatted as her page is
    assert "8:45\u202fp.d." not in call_page


def test_pages_messages_and_services_ask_the_same_function(app):
    with committed(app), app.test_request_context():
        milena = factories.caseworker("ME", email="milena@gov.me.example", locale="sr_Latn")
        with writing_to(milena) as reader:  # a message to her
            assert str(current_locale()) == reader.formats == "sr_Latn_ME"
        milena_id = milena.id
    with app.test_request_context():
        login_user(db.session.get(User, milena_id))  # her page, and a service's sentence on it
        assert str(viewer_locale()) == str(current_locale()) == viewer_formatting_locale() == "sr_Latn_ME"
    with app.app_context(), force_locale("sr_Latn"):
        assert str(current_locale()) == "sr_Latn"  # no reader, no country: the language alone


def test_a_duration_reads_one_way_from_minutes_to_days(app):
    with app.test_request_context():
        assert time_left(timedelta(days=2, hours=3, minutes=10)) == "2 days, 3 hrs, 10 mins"
        assert time_left(timedelta(minutes=25)) == "25 mins"
        assert time_left(timedelta(minutes=-1)) == "started"
    assert formats.duration(timedelta(days=1, minutes=5), "sr_Latn") == "1 dan i 5 min"
    assert formats.duration(timedelta(days=2, hours=3, minutes=10), "sq") == "2 ditë, 3 orë dhe 10 min."
