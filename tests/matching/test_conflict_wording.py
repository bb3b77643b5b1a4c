"""A conflict is stored as its reason's code and parameters and worded in each reader's language:
the Serbian caseworker's mail says why in Serbian Cyrillic while the English coordinator's says
it in English, from the same row; a Turkish coordinator's desk says it in Turkish with Turkish
dates. Conflicts recorded as English sentences before are read back into parameters."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.enums import Role
from rris.extensions import db
from rris.matching.domain.rules import Rejection, RejectionReason
from rris.matching.models.conflicts import BookingConflict
from rris.matching.services.conflict_wording import conflict_text, stored_params, stored_rejection
from rris.matching.services.conflicts import process_sweep_requests, sweep
from rris.matching.services.wording import rejection_text
from rris.notifications.services import outbox
from rris.pool.models.interpreters import Accreditation
from rris.pool.services.availability import add_time_off
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import confirmed
from tests.support.letterhead import letterhead
from tests.translations.catalogues import catalogue

ROOT = Path(__file__).resolve().parents[2]
CAN_NO_LONGER = "%(name)s can no longer take this session: %(detail)s"
TIME_OFF = "Has time off during this session."
NOT_ACCREDITED = "Not accredited for this country on %(date)s."


def said(locale: str, english: str) -> str:
    """What the shipped catalogue of `locale` says for `english`."""
    return str(catalogue(locale)[english].string)


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_each_recipient_reads_the_conflict_reason_in_their_own_language(app, ctx, clock, mailbox):
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example")  # no choice: Serbia's Cyrillic
    factories.user(Role.COORDINATOR, email="hub@marri.example")  # no choice, no office: English
    mariam = factories.interpreter(pairs=(("pus", "srp"),), email="mariam@i.example", name="Mariam A.")
    booking = confirmed(jelena, mariam)
    outbox.dispatch_due(clock, letterhead())
    mailbox.clear()
    add_time_off(mariam.id, actor_of(mariam.user), datetime(2026, 1, 14), datetime(2026, 1, 15), None, clock.now())
    process_sweep_requests(clock.now())
    [conflict] = db.session.scalars(select(BookingConflict).where(BookingConflict.booking_id == booking.id))
    assert conflict.reason == "time_off" and conflict.legacy_detail is None  # a code, no sentence

    outbox.dispatch_due(clock, letterhead())
    mails = {message["To"]: body(message) for message in mailbox.wait_for(2)}
    serbian = said("sr_Cyrl", CAN_NO_LONGER) % {"name": "Mariam A.", "detail": said("sr_Cyrl", TIME_OFF)}
    assert serbian in mails["jelena@mup.rs.example"]
    assert TIME_OFF not in mails["jelena@mup.rs.example"]
    assert "Mariam A. can no longer take this session: Has time off during this session." in mails["hub@marri.example"]


def test_a_turkish_coordinator_reads_an_accreditation_conflict_in_turkish_with_turkish_dates(app, clock, browser):
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", locale="en")
        factories.user(Role.COORDINATOR, email="aylin@marri.example", locale="tr")
        mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam A.")
        booking = confirmed(jelena, mariam)
        for period in db.session.scalars(select(Accreditation).where(Accreditation.interpreter_id == mariam.id)):
            period.valid_to = date(2026, 1, 13)  # runs out the day before the session
        db.session.commit()
        assert sweep(clock.now()).found == 1
        booking_id = booking.id
    browser.sign_in("aylin@marri.example", PASSWORD)
    desk = browser.get("/desk").get_data(as_text=True)
    assert said("tr", NOT_ACCREDITED) % {"date": "14 Oca 2026"} in desk
    assert "Not accredited" not in desk
    browser.sign_in("jelena@mup.rs.example", PASSWORD)
    page = browser.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "Not accredited for this country on 14 Jan 2026." in page


def _migration():
    path = ROOT / "migrations" / "versions" / "0021_conflict_reason_params.py"
    spec = importlib.util.spec_from_file_location("conflict_reason_params", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What the engine wrote before reasons were codes, and the values the rules give today.
OLD_SENTENCES = [
    ("inactive", "Not active in the pool.", {}),
    ("time_off", "Has time off during this session.", {}),
    ("objected_by_applicant", "The applicant has objected to this interpreter.", {}),
    ("no_language_pair", "Does not interpret between Pashto and Serbian.",
     {"applicant_language": "pus", "officer_language": "srp"}),
    ("no_dialect", "Does not cover the Sulaimani dialect of Sorani Kurdish.",
     {"language": "ckb", "dialect": "Sulaimani"}),
    ("not_accredited", "Not accredited for this country on 2026-01-14.", {"country_id": 3, "date": "2026-01-14"}),
    ("outside_availability", "Outside weekly availability: the session runs 12:30–14:30 on 2026-01-14 in Kabul.",
     {"timezone": "Asia/Kabul", "start": "2026-01-14T08:00:00+00:00", "end": "2026-01-14T10:00:00+00:00"}),
    ("outside_availability",
     "Outside weekly availability: the session runs 2026-01-14 23:30 to 2026-01-15 01:30 in Kabul.",
     {"timezone": "Asia/Kabul", "start": "2026-01-14T19:00:00+00:00", "end": "2026-01-14T21:00:00+00:00"}),
]


@pytest.mark.parametrize(("reason", "sentence", "values"), OLD_SENTENCES, ids=[case[0] for case in OLD_SENTENCES])
def test_the_migration_reads_old_english_sentences_back_into_the_rules_values(app, ctx, reason, sentence, values):
    migration = _migration()
    params = migration.read_back(reason, sentence, "Asia/Kabul", 3)
    assert params == values
    assert migration.english(reason, params) == sentence  # and down again
    assert migration.read_back(reason, "Some sentence a later engine wrote.", "Asia/Kabul", 3) is None
    # The one wording words what was read back, as it words the engine's own rejection.
    conflict = BookingConflict(reason=reason, params=params, detected_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert conflict_text(conflict) == rejection_text(stored_rejection(conflict))
    assert stored_params(stored_rejection(conflict)) == params


def test_a_conflict_stores_the_rejections_values_and_gives_them_back():
    start, end = datetime(2026, 1, 14, 8, tzinfo=UTC), datetime(2026, 1, 14, 10, tzinfo=UTC)
    rejection = Rejection(
        RejectionReason.OUTSIDE_AVAILABILITY, (("timezone", "Asia/Kabul"), ("start", start), ("end", end))
    )
    accreditation = Rejection(RejectionReason.NOT_ACCREDITED, (("country_id", 3), ("date", date(2026, 1, 14))))
    for original in (rejection, accreditation):
        conflict = BookingConflict(reason=original.reason.value, params=stored_params(original))
        assert stored_rejection(conflict) == original


def test_a_sentence_the_migration_could_not_read_is_shown_as_it_was(app, ctx):
    stored = BookingConflict(reason="time_off", params={}, legacy_detail="Away (recorded in 2025).",
                             detected_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert conflict_text(stored, "en_150") == "Away (recorded in 2025)."
