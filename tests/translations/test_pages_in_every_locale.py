"""Every page, as every role, in every shipped locale: rendered without a template error, in the
page's language and direction, with no English sentence of the catalogue left on it; and a
booking's candidates, ranked and left out, explained without a word of the English sentences."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from babel.messages.catalog import Catalog
from flask import Flask
from sqlalchemy import select

from rris.bookings.models.bookings import Assignment, Booking
from rris.common.domain.locales import interface_locale
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.pool.models.interpreters import TimeOff
from tests import factories
from tests.conftest import Browser, committed
from tests.translations.catalogues import SHIPPED, catalogue

PAGES_BY_ROLE = {
    None: ["/login", "/password/forgot", "/no-such-page"],
    Role.CASEWORKER: [
        "/",
        "/bookings",
        "/bookings/new",
        "/bookings/{booking}",
        "/bookings/{booking}/notice",
        "/calls/{booking}",
        "/profile",
        "/profile/security",
        "/desk",
    ],
    Role.FOCAL_POINT: [
        "/",
        "/departments",
        "/departments/{department}",
        "/reports?month=2026-01",
        "/accounts",
        "/accounts/new",
        "/accounts/{caseworker}",
        "/audit",
    ],
    Role.INTERPRETER: ["/", "/offers", "/jobs", "/availability", "/bookings/{booking}", "/calls/{booking}", "/profile"],
    Role.COORDINATOR: [
        "/",
        "/desk",
        "/bookings/{booking}",
        "/interpreters",
        "/interpreters/{interpreter}",
        "/interpreters/{interpreter}/edit",
        "/interpreters/new",
        "/pool/accreditations",
        "/pool/import",
        "/pool/phone-countries",
        "/reports?month=2026-01",
        "/reports/print?month=2026-01",
        "/accounts",
        "/accounts/{interpreter_account}",
        "/audit",
    ],
    Role.ADMIN: [
        "/",
        "/profile/security",
        "/accounts",
        "/accounts/new",
        "/accounts/{caseworker}",
        "/accounts/{interpreter_account}",
        "/authorities",
        "/authorities/{country}",
        "/authorities/departments/{department}",
        "/audit",
        "/audit?first_day=2026-01-10&last_day=2026-01-01",
    ],
}
# Sentences that legitimately stay English on a page (a language's own name, a code's example).
STAYS_ENGLISH = frozenset({"English"})
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.DOTALL)


def english_sentences(translations: Catalog) -> frozenset[str]:
    """The catalogue's English sentences (three words or more, no placeholders) it translates otherwise."""
    found = set()
    for message in translations:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        english = message.id
        if len(english.split()) >= 3 and "%" not in english and "{" not in english and message.string != english:
            found.add(english)
    return frozenset(found - STAYS_ENGLISH)


def visible_text(page: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


@pytest.fixture
def people(app: Flask, booked: int) -> Iterator[tuple[dict[Role, str], dict[str, int]]]:
    with committed(app):
        booking = db.session.execute(select(Booking).where(Booking.id == booked)).scalar_one()
        caseworker = booking.created_by
        interpreter = booking.assignments[0].interpreter
        emails = {
            Role.CASEWORKER: caseworker.email,
            Role.INTERPRETER: interpreter.user.email,
            Role.FOCAL_POINT: factories.user(Role.FOCAL_POINT, country=caseworker.department.country).email,
            Role.COORDINATOR: factories.user(Role.COORDINATOR).email,
            Role.ADMIN: factories.user(Role.ADMIN).email,
        }
        ids = {
            "booking": booked,
            "department": caseworker.department_id,
            "interpreter": interpreter.id,
            "caseworker": caseworker.id,
            "country": caseworker.department.country_id,
            "interpreter_account": interpreter.user_id,
        }
    yield emails, ids


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_page_reads_wholly_in_the_locale(app, people, locale):
    emails, ids = people
    tag = interface_locale(locale).tag
    direction = interface_locale(locale).direction
    left_in_english = english_sentences(catalogue(locale))
    problems = []
    for role, pages in PAGES_BY_ROLE.items():
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = tag
        if role is not None:
            answer = Browser(client).sign_in(emails[role], factories.PASSWORD)  # and the second step
            assert answer.status_code == 302, f"{role} could not sign in"
        for path in pages:
            url = path.format(**ids)
            response = client.get(url)
            page = response.get_data(as_text=True)
            where = f"{locale} {role or 'signed out'} {url} ({response.status_code})"
            if response.status_code >= 500 or "<html" not in page:
                problems.append(f"{where}: no page")
                continue
            if f'lang="{tag}"' not in page or f'dir="{direction}"' not in page:
                problems.append(f"{where}: not marked {tag} {direction}")
            text = visible_text(page)
            problems += [f"{where}: English left: {sentence!r}" for sentence in left_in_english if sentence in text]
    assert problems == [], "\n".join(problems[:40])


# Placeholders split a message into the English words a translation must replace.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
WHY_CELL = re.compile(r'<td class="small">(.*?)</td>', re.S)
WORD = re.compile(r"[A-Za-z]{4,}")
CANDIDATES_TABLE = re.compile(r'<table class="table compact">((?:(?!</table>).)*class="rejected".*?)</table>', re.S)


def english_fragments(translations: Catalog) -> frozenset[str]:
    """The English words between a message's placeholders (two words or more), where its
    translation words them otherwise: what is left of a sentence built from values."""
    found = set()
    for message in translations:
        if not isinstance(message.id, str) or not isinstance(message.string, str) or "%(" not in message.id:
            continue
        for piece in PLACEHOLDER.split(message.id)[::2]:
            words = piece.strip(" .,:;()–")
            if len(words.split()) >= 2 and words not in message.string:
                found.add(words)
    return frozenset(found)


@pytest.fixture
def candidates(app: Flask, people: tuple[dict[Role, str], dict[str, int]]) -> tuple[dict[Role, str], dict[str, int]]:
    """Interpreters in the booking's pair whom the engine leaves out, each for another reason."""
    emails, ids = people
    pair = (("pus", "srp"),)
    with committed(app):
        booking = db.session.get_one(Booking, ids["booking"])
        start = booking.starts_at
        factories.interpreter(email="albania@pool.example", pairs=pair, accredited_for=("AL",))
        factories.interpreter(email="night@pool.example", pairs=pair, zone="America/New_York")
        factories.interpreter(email="capped@pool.example", pairs=pair, zone="Europe/Belgrade").daily_cap_minutes = 30
        factories.interpreter(email="left@pool.example", pairs=pair).active = False
        away = factories.interpreter(email="away@pool.example", pairs=pair, zone="Europe/Belgrade")
        away.time_off = [TimeOff(starts_at=start - timedelta(days=1), ends_at=start + timedelta(days=1))]
        busy = factories.interpreter(email="busy@pool.example", pairs=pair, zone="Europe/Belgrade")
        other = factories.booking(
            department=booking.department, starts_at=start, state=BookingState.CONFIRMED, created_by=booking.created_by
        )
        other.assignments.append(
            Assignment(interpreter=busy, busy_from=start, busy_until=start + timedelta(hours=1), assigned_at=start)
        )
    return emails, ids


def candidates_page(app: Flask, emails: dict[Role, str], booking_id: int, tag: str) -> str:
    """The coordinator's page of the booking in the language `tag`, as the browser asks for it."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = tag
    assert Browser(client).sign_in(emails[Role.COORDINATOR], factories.PASSWORD).status_code == 302
    return client.get(f"/bookings/{booking_id}").get_data(as_text=True)


def candidates_text(page: str) -> tuple[int, str]:
    """How many interpreters the page leaves out, and why each fits or not, as text."""
    table = CANDIDATES_TABLE.search(page)
    assert table, "the page shows no interpreter left out"
    why = WHY_CELL.findall(table.group(1))
    return table.group(1).count('class="rejected"'), visible_text(" | ".join(why))


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


@pytest.fixture
def english_reasons(app, candidates) -> set[str]:
    """The words of the English explanations that are the catalogue's words, not names or values."""
    emails, ids = candidates
    left_out, text = candidates_text(candidates_page(app, emails, ids["booking"], "en"))
    assert left_out == 6
    source = set().union(*(words(message.id) for message in catalogue("sr_Cyrl") if isinstance(message.id, str)))
    return words(text) & source


def test_the_check_sees_the_reasons_english_words(app, candidates, english_reasons):
    emails, ids = candidates
    _, text = candidates_text(candidates_page(app, emails, ids["booking"], "en"))
    assert {"accredited", "availability", "conflicts", "booked", "active", "time", "clock"} <= english_reasons
    seen = {fragment for fragment in english_fragments(catalogue("sr_Cyrl")) if fragment in text}
    assert {"Not accredited for this country on", "Conflicts with booking", "booked plus"} <= seen


@pytest.mark.parametrize("locale", SHIPPED)
def test_why_each_interpreter_fits_or_not_reads_wholly_in_the_locale(app, candidates, english_reasons, locale):
    emails, ids = candidates
    translations = catalogue(locale)
    left_out, text = candidates_text(candidates_page(app, emails, ids["booking"], interface_locale(locale).tag))
    assert left_out == 6
    english = sorted(s for s in english_sentences(translations) | english_fragments(translations) if s in text)
    # Words a translation uses itself are the locale's too ("plus" in Albanian, "Kabul" in Turkish).
    own = set().union(*(words(m.string) for m in translations if isinstance(m.string, str)))
    english += sorted(words(text) & english_reasons - own)
    assert english == [], f"{locale}: English left in the reasons: {english}\n{text}"
